package io.flagplane.projection.telemetry;

import io.flagplane.contract.FlagRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How far one version of one flag has reached: the evaluators serving its environment that are not
 * gone (live, or late but still expected), which of them applied the version and when, and which
 * are still pending. Complete when every expected evaluator applied it (so, vacuously, when no
 * evaluator serves the environment). Pure: the version, the nodes and the instant decide.
 *
 * @param versionAt the event time of the version (when the command-service wrote it)
 * @param live      evaluators seen within their live threshold
 * @param expected  evaluators not gone: live plus stale (late ones stay pending until they are gone)
 */
public record Propagation(FlagRef flag, long version, Instant versionAt, int live, int expected, int applied, boolean complete,
                          List<Node> nodes) {

    /**
     * One expected evaluator.
     *
     * @param appliedVersion the first version at or above the one asked that it applied; null while pending
     * @param appliedAt      when it started serving it; {@code exact} false when it applied it at or before then
     *                       (older versions than it keeps)
     * @param latencyMillis  versionAt → appliedAt, when exact; never negative (clocks differ a little)
     */
    public record Node(EvaluatorEntry entry, Liveness liveness, Long appliedVersion, Instant appliedAt, boolean exact,
                       Long latencyMillis) {

        public boolean pending() {
            return appliedVersion == null;
        }
    }

    public static Propagation of(FlagRef flag, long version, Instant versionAt, List<NodeShare> shares, Liveness.Rules rules,
                                 Instant now) {
        List<Node> nodes = new ArrayList<>();
        int live = 0;
        int applied = 0;
        for (NodeShare share : shares) {
            if (!share.node().serves(flag.environment())) {
                continue;
            }
            Liveness liveness = rules.of(share.node(), now);
            if (liveness == Liveness.GONE) {
                continue;
            }
            if (liveness == Liveness.LIVE) {
                live++;
            }
            AppliedVersions.Progress progress = share.progress();
            if (progress == null) {
                nodes.add(new Node(share.node(), liveness, null, null, false, null));
                continue;
            }
            applied++;
            Instant at = Instant.ofEpochMilli(progress.atMs());
            Long latency = progress.exact() && versionAt != null ? Math.max(0, progress.atMs() - versionAt.toEpochMilli()) : null;
            nodes.add(new Node(share.node(), liveness, progress.version(), at, progress.exact(), latency));
        }
        nodes.sort(Comparator.comparing((Node n) -> !n.pending()).thenComparing(n -> n.entry().nodeId()));
        return new Propagation(flag, version, versionAt, live, nodes.size(), applied, applied == nodes.size(), List.copyOf(nodes));
    }

    public List<Node> pending() {
        return nodes.stream().filter(Node::pending).toList();
    }
}
