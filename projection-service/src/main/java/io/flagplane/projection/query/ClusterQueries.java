package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.EvaluationContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Queries that cross instances. Over everything: each instance answers for the partitions it
 * holds, and this one merges. A time-travel evaluation: the flag here, its segments wherever they
 * live, fetched as the contract's Avro.
 * The audit log pages with a cursor that stays correct when instances stop early at different
 * points (see {@link ProjectionQueries#auditLocal}).
 */
public final class ClusterQueries {

    private final ProjectionQueries local;
    private final Router router;
    private final StateWire states;
    private final ShareWire wire;

    public ClusterQueries(ProjectionQueries local, Router router, StateWire states, ShareWire wire) {
        this.local = local;
        this.router = router;
        this.states = states;
        this.wire = wire;
    }

    /**
     * What {@code context} would have been served by a flag held here, at {@code at}: the flag as
     * it was then, and every segment and prerequisite flag it reaches as they were then, from
     * whichever instance holds each.
     */
    public TimeTravel.Answer evaluate(FlagRef flag, Instant at, EvaluationContext context, String authorization) {
        FlagState state = (FlagState) local.state(flag, at, null);
        return TimeTravel.evaluate(state, at, context, segmentKey -> segmentAt(flag.environment(), segmentKey, at, authorization),
                flagKey -> flagAt(flag.environment(), flagKey, at, authorization));
    }

    /**
     * A segment as it was at {@code at}, from wherever it lives; null if it did not exist then. Another
     * instance is asked on its internal route, which answers the contract's {@code SegmentState}
     * ({@link StateWire}), never the public JSON.
     */
    SegmentState segmentAt(String environment, String segmentKey, Instant at, String authorization) {
        SegmentRef segment = new SegmentRef(environment, segmentKey);
        Optional<HostInfo> owner = router.remoteOwner(segment.eventKey());
        if (owner.isEmpty()) {
            return local.segmentAt(segment, at).orElse(null);
        }
        byte[] body = remoteState(owner.get(), "segments", environment, segmentKey, at, authorization);
        return body == null ? null : states.decodeSegment(body, address(owner.get()));
    }

    /** A flag as it was at {@code at}, from wherever it lives; null if it did not exist then (as {@link #segmentAt}). */
    FlagState flagAt(String environment, String flagKey, Instant at, String authorization) {
        FlagRef flag = new FlagRef(environment, flagKey);
        Optional<HostInfo> owner = router.remoteOwner(flag.eventKey());
        if (owner.isEmpty()) {
            return local.flagAt(flag, at).orElse(null);
        }
        byte[] body = remoteState(owner.get(), "flags", environment, flagKey, at, authorization);
        return body == null ? null : states.decodeFlag(body, address(owner.get()));
    }

    /**
     * One state as of an instant from the instance that holds it, on its internal route
     * ({@code /internal/v1/environments/{env}/{kind}/{key}?asOf=}): the Avro body, or null when it
     * did not exist then.
     */
    private byte[] remoteState(HostInfo host, String kind, String environment, String key, Instant at, String authorization) {
        String path = "/internal/v1/environments/" + encode(environment) + "/" + kind + "/" + encode(key) + "?asOf="
                + encode(at.toString());
        Router.Forwarded answer = router.forward(host, "GET", path, authorization, null);
        return switch (answer.status()) {
            case 200 -> answer.body();
            case 204 -> null;   // it did not exist at that instant
            default -> throw QueryException.unavailable("instance " + address(host) + " that holds " + kind.substring(0, kind.length() - 1)
                    + " '" + key + "' answered " + answer.status() + "; retry in a moment");
        };
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /**
     * A page of the whole audit log: this instance's share and every other's, newest first.
     *
     * @param internalQuery the query string to send the other instances' {@code /internal/v1/audit}
     *                      (the filter and limit; the position is added here)
     */
    public Audit.Page audit(ProjectionQueries.AuditFilter filter, String cursor, int limit, String internalQuery,
                            String authorization) {
        List<Audit.Share> shares = new ArrayList<>();
        shares.add(local.auditLocal(filter, cursor, limit));
        for (HostInfo host : router.otherInstances()) {
            String query = internalQuery + (cursor == null ? "" : "&position=" + AuditCursor.encode(cursor));
            shares.add(wire.decodeAudit(remote(host, "/internal/v1/audit?" + query, authorization), address(host)));
        }
        String bound = null;
        List<Audit.Entry> merged = new ArrayList<>();
        for (Audit.Share share : shares) {
            String scannedTo = share.scannedTo();
            if (scannedTo != null && (bound == null || scannedTo.compareTo(bound) > 0)) {
                bound = scannedTo;
            }
            merged.addAll(share.entries());
        }
        merged.sort(Comparator.comparing(Audit.Entry::position).reversed());
        List<Audit.Entry> page = new ArrayList<>();
        for (Audit.Entry entry : merged) {
            if (page.size() == limit || (bound != null && entry.position().compareTo(bound) <= 0)) {
                break;
            }
            page.add(entry);
        }
        String next;
        if (page.size() == limit) {
            next = page.get(page.size() - 1).position();
        } else if (bound != null) {
            next = bound + '\u0000';   // just above the bound: the next page starts with it
        } else {
            next = null;
        }
        return new Audit.Page(page, next == null ? null : AuditCursor.encode(next));
    }

    /** Every flag and segment, from every instance: {@code localShare} and each other instance's. */
    public Export export(Export localShare, String internalPath, String authorization) {
        List<Export> shares = new ArrayList<>();
        shares.add(localShare);
        for (HostInfo host : router.otherInstances()) {
            shares.add(wire.decodeExport(remote(host, internalPath, authorization), address(host)));
        }
        return Export.merge(shares);
    }

    private byte[] remote(HostInfo host, String pathAndQuery, String authorization) {
        Router.Forwarded answer = router.forward(host, "GET", pathAndQuery, authorization, null);
        if (answer.status() != 200) {
            throw QueryException.unavailable("instance " + address(host) + " answered " + answer.status()
                    + " for its share of the query; retry in a moment");
        }
        return answer.body();
    }

    private static String address(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
