package io.flagplane.projection.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagRef;
import io.flagplane.projection.telemetry.EvaluatorEntry;
import io.flagplane.projection.telemetry.NodeShare;
import io.flagplane.projection.telemetry.TelemetryCodec;
import io.flagplane.projection.telemetry.UsageEntry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Evaluator telemetry from every instance. Reports are partitioned by node, so each instance holds
 * the registry, applied versions and usage of the nodes on its partitions: a question about all
 * of them asks every instance on its internal route for its share (records as JSON,
 * {@link TelemetryCodec}) and puts them together here. A version's event time comes from the
 * instance holding the flag's history.
 */
public final class ClusterTelemetry {

    /** The internal routes instances answer each other on; the HTTP layer mounts them. */
    public static final String EVALUATORS_PATH = "/internal/v1/evaluators";

    private static final TypeReference<List<EvaluatorEntry>> NODES = new TypeReference<>() {
    };
    private static final TypeReference<List<NodeShare>> SHARES = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, UsageEntry>> USAGE = new TypeReference<>() {
    };

    /** A version of a flag and when it was written. */
    public record VersionInfo(long version, Instant occurredAt) {
    }

    private final TelemetryQueries local;
    private final ProjectionQueries projection;
    private final Router router;

    public ClusterTelemetry(TelemetryQueries local, ProjectionQueries projection, Router router) {
        this.local = local;
        this.projection = projection;
        this.router = router;
    }

    public TelemetryQueries local() {
        return local;
    }

    /** True when other instances hold part of the reports (their changes do not wake this one's waiters). */
    public boolean clustered() {
        return !router.otherInstances().isEmpty();
    }

    public List<EvaluatorEntry> evaluators(String authorization) {
        List<EvaluatorEntry> all = new ArrayList<>(local.evaluatorsLocal());
        for (HostInfo host : router.otherInstances()) {
            all.addAll(remote(host, EVALUATORS_PATH, authorization, NODES));
        }
        all.sort(Comparator.comparing(EvaluatorEntry::nodeId));
        return all;
    }

    public List<NodeShare> propagation(FlagRef flag, long version, String authorization) {
        List<NodeShare> all = new ArrayList<>(local.propagationLocal(flag, version));
        for (HostInfo host : router.otherInstances()) {
            all.addAll(remote(host, appliedPath(flag, version), authorization, SHARES));
        }
        return all;
    }

    /**
     * Asks every other instance to answer once its own share of {@code version} is complete, or
     * after {@code waitMs} (each instance waits on its own fold's signal, see
     * {@link PropagationQueries#awaitLocalShare}); one instance after the other, so this returns
     * when the slowest share is complete.
     *
     * @return whether every other instance's share was complete when it answered
     */
    public boolean awaitRemoteShares(FlagRef flag, long version, long waitMs, String authorization,
                                     Predicate<List<NodeShare>> complete) {
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        boolean all = true;
        for (HostInfo host : router.otherInstances()) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            List<NodeShare> share = remote(host, appliedPath(flag, version) + "&wait=" + left + "ms", authorization, SHARES);
            all &= complete.test(share);
        }
        return all;
    }

    /** Usage of one flag ({@code flagKey}) or of every flag of the environment (null), every instance's share summed. */
    public Map<String, UsageEntry> usage(String environment, String flagKey, String authorization) {
        Map<String, UsageEntry> sum = new TreeMap<>(local.usageLocal(environment, flagKey));
        for (HostInfo host : router.otherInstances()) {
            remote(host, usagePath(environment, flagKey), authorization, USAGE).forEach((key, share) -> sum.merge(key, share,
                    UsageEntry::plus));
        }
        return sum;
    }

    public Optional<FlagState> flag(FlagRef flag) {
        return local.flag(flag);
    }

    public List<FlagState> flags(String environment) {
        return local.flags(environment);
    }

    /**
     * The flag's version {@code version} (null: its current one) and when it was written, from the
     * instance holding its history: {@code FLAG_NOT_FOUND} or {@code VERSION_NOT_FOUND} when there is no such thing.
     */
    public VersionInfo version(FlagRef flag, Long version, String authorization) {
        Optional<HostInfo> owner = router.remoteOwner(flag.eventKey());
        if (owner.isEmpty()) {
            return versionLocal(flag, version);
        }
        Router.Forwarded answer = router.forward(owner.get(), "GET", versionPath(flag, version), authorization, null);
        JsonNode body = json(owner.get(), answer);
        if (answer.status() == 200) {
            return new VersionInfo(body.get("version").asLong(), Instant.parse(body.get("occurredAt").asText()));
        }
        JsonNode error = body.path("error");
        QueryErrorCode code = QueryErrorCode.UNAVAILABLE;
        if (answer.status() == 404) {
            String named = error.path("code").asText();
            code = named.equals(QueryErrorCode.VERSION_NOT_FOUND.name()) ? QueryErrorCode.VERSION_NOT_FOUND
                    : QueryErrorCode.FLAG_NOT_FOUND;
        }
        throw new QueryException(code, null, error.path("message").asText("instance " + owner.get().host() + ":"
                + owner.get().port() + " answered " + answer.status()));
    }

    /** The same, from this instance's own stores (it holds the flag). */
    public VersionInfo versionLocal(FlagRef flag, Long version) {
        FlagState state = (FlagState) projection.state(flag, null, version);
        return new VersionInfo(state.getVersion(), state.getLastChange().getOccurredAt());
    }

    public static String appliedPath(FlagRef flag, long version) {
        return flagPath(flag) + "/applied?version=" + version;
    }

    public static String versionPath(FlagRef flag, Long version) {
        return flagPath(flag) + "/version" + (version == null ? "" : "?version=" + version);
    }

    public static String usagePath(String environment, String flagKey) {
        return "/internal/v1/environments/" + encode(environment) + "/usage" + (flagKey == null ? "" : "?flag=" + encode(flagKey));
    }

    private static String flagPath(FlagRef flag) {
        return "/internal/v1/environments/" + encode(flag.environment()) + "/flags/" + encode(flag.key());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private <T> T remote(HostInfo host, String pathAndQuery, String authorization, TypeReference<T> type) {
        Router.Forwarded answer = router.forward(host, "GET", pathAndQuery, authorization, null);
        if (answer.status() != 200) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " answered " + answer.status()
                    + " for its share of the evaluators' reports; retry in a moment");
        }
        try {
            return TelemetryCodec.JSON.readValue(answer.body(), type);
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " sent an unreadable share");
        }
    }

    private static JsonNode json(HostInfo host, Router.Forwarded answer) {
        try {
            return TelemetryCodec.JSON.readTree(answer.body());
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " sent an unreadable answer");
        }
    }
}
