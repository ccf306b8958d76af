package io.flagplane.projection.query;

import io.flagplane.contract.FlagRef;
import io.flagplane.projection.telemetry.FoldSignal;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.projection.telemetry.NodeShare;
import io.flagplane.projection.telemetry.Propagation;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * "Has this change reached every evaluator?", now or within a wait. A wait sleeps on the fold's
 * {@link FoldSignal} and looks again as soon as a report is folded here, so it answers within
 * moments of the last node's report rather than at the next poll. It also looks again on a timer
 * ({@value #LOCAL_RECHECK_MS} ms): time alone turns a silent node gone, which can complete the answer.
 *
 * <p>Reports folded by other instances do not signal this one, so with other instances the wait
 * first asks each of them to wait for its own share ({@link #awaitLocalShare}, over the internal
 * route with {@code wait}): each answers as soon as every live node it holds has the version, and
 * this instance then waits on its own signal for the nodes it holds. The answer comes within
 * moments of the last node's report wherever that report was folded, without polling. A waiting
 * request holds a thread (here, and on each instance it asks), so waits are capped on every instance.
 */
public final class PropagationQueries {

    static final long LOCAL_RECHECK_MS = 1_000;
    /** The longest one ask of another instance waits; the loop asks again while the caller's wait lasts. */
    static final long REMOTE_WAIT_CAP_MS = 10_000;
    /** After another instance answered with its share still pending: the pause before asking it again. */
    static final long REMOTE_RETRY_PAUSE_MS = 50;
    /** While the version asked for is not known yet (the command was just acknowledged). */
    static final long UNKNOWN_VERSION_RECHECK_MS = 25;

    private final ClusterTelemetry cluster;
    private final FoldSignal signal;
    private final Liveness.Rules rules;
    private final Clock clock;
    private final Semaphore waits;
    private final int maxWaits;

    public PropagationQueries(ClusterTelemetry cluster, FoldSignal signal, Liveness.Rules rules, Clock clock, int maxWaits) {
        this.cluster = cluster;
        this.signal = signal;
        this.rules = rules;
        this.clock = clock;
        this.waits = new Semaphore(maxWaits);
        this.maxWaits = maxWaits;
    }

    public Liveness.Rules rules() {
        return rules;
    }

    public Clock clock() {
        return clock;
    }

    /** Where the version ({@code null}: the flag's current one) stands now. */
    public Propagation now(FlagRef flag, Long version, String authorization) {
        ClusterTelemetry.VersionInfo info = cluster.version(flag, version, authorization);
        return Propagation.of(flag, info.version(), info.occurredAt(), cluster.propagation(flag, info.version(), authorization),
                rules, clock.instant());
    }

    /**
     * Where the version stands once every expected evaluator has it, or when {@code wait} ends,
     * whichever is first. A version not written yet (of a flag perhaps not created yet) is waited
     * for too; if it still is not there when the wait ends, that is {@code VERSION_NOT_FOUND} (or
     * {@code FLAG_NOT_FOUND}).
     */
    /** Propagation waits this instance holds right now (each holds a request thread). */
    public int waiting() {
        return maxWaits - waits.availablePermits();
    }

    public Propagation await(FlagRef flag, Long version, Duration wait, String authorization) throws InterruptedException {
        if (!waits.tryAcquire()) {
            throw QueryException.unavailable("this instance already holds " + maxWaits + " propagation waits; retry without "
                    + "\"wait\", or later");
        }
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            long seen = signal.generation();
            while (true) {
                Propagation answer = null;
                QueryException unknown = null;
                try {
                    answer = now(flag, version, authorization);
                    if (answer.complete()) {
                        return answer;
                    }
                } catch (QueryException e) {
                    boolean notYet = e.code() == QueryErrorCode.VERSION_NOT_FOUND || e.code() == QueryErrorCode.FLAG_NOT_FOUND;
                    if (version == null || !notYet) {
                        throw e;
                    }
                    unknown = e;   // not folded yet: the command (a creation, too) was just acknowledged
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    if (unknown != null) {
                        throw unknown;
                    }
                    return answer;
                }
                if (unknown == null && cluster.clustered()) {
                    long v = answer.version();
                    boolean othersDone = cluster.awaitRemoteShares(flag, v, Math.min(left, REMOTE_WAIT_CAP_MS), authorization,
                            share -> complete(flag, v, share));
                    long stillLeft = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                    if (!othersDone) {
                        // an instance answered before its share was complete (its cap ended, or its wait slots were
                        // taken): a short pause, so that such answers cannot turn into a busy loop
                        seen = signal.awaitAfter(seen, Math.min(stillLeft, REMOTE_RETRY_PAUSE_MS));
                    } else if (!complete(flag, v, cluster.local().propagationLocal(flag, v))) {
                        seen = signal.awaitAfter(seen, Math.min(stillLeft, LOCAL_RECHECK_MS));
                    }
                    continue;   // look at every share again
                }
                long recheck = unknown != null ? UNKNOWN_VERSION_RECHECK_MS : LOCAL_RECHECK_MS;
                seen = signal.awaitAfter(seen, Math.min(left, recheck));
            }
        } finally {
            waits.release();
        }
    }

    /** Whether every live node of {@code share} (one instance's, or all) has the version, now. */
    private boolean complete(FlagRef flag, long version, List<NodeShare> share) {
        return Propagation.of(flag, version, null, share, rules, clock.instant()).complete();
    }

    /**
     * This instance's share of the nodes' progress on {@code version}, once every live node it
     * holds has the version or {@code wait} ended — what another instance's {@link #await} asks for.
     * With every wait slot taken it answers at once (the asker then asks again).
     */
    public List<NodeShare> awaitLocalShare(FlagRef flag, long version, Duration wait) throws InterruptedException {
        if (wait.isZero() || !waits.tryAcquire()) {
            return cluster.local().propagationLocal(flag, version);
        }
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                long seen = signal.generation();
                List<NodeShare> share = cluster.local().propagationLocal(flag, version);
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || complete(flag, version, share)) {
                    return share;
                }
                signal.awaitAfter(seen, Math.min(left, LOCAL_RECHECK_MS));
            }
        } finally {
            waits.release();
        }
    }
}
