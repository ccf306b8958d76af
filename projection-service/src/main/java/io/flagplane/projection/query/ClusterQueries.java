package io.flagplane.projection.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.EvaluationContext;
import java.io.IOException;
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
    private final SegmentStateWire segments;

    public ClusterQueries(ProjectionQueries local, Router router, SegmentStateWire segments) {
        this.local = local;
        this.router = router;
        this.segments = segments;
    }

    /**
     * What {@code context} would have been served by a flag held here, at {@code at}: the flag as
     * it was then, and every segment it reaches as it was then, from whichever instance holds it.
     */
    public TimeTravel.Answer evaluate(FlagRef flag, Instant at, EvaluationContext context, String authorization) {
        FlagState state = (FlagState) local.state(flag, at, null);
        return TimeTravel.evaluate(state, at, context, segmentKey -> segmentAt(flag.environment(), segmentKey, at, authorization));
    }

    /**
     * A segment as it was at {@code at}, from wherever it lives; null if it did not exist then. Another
     * instance is asked on its internal route, which answers the contract's {@code SegmentState}
     * ({@link SegmentStateWire}), never the public JSON.
     */
    SegmentState segmentAt(String environment, String segmentKey, Instant at, String authorization) {
        SegmentRef segment = new SegmentRef(environment, segmentKey);
        Optional<HostInfo> owner = router.remoteOwner(segment.eventKey());
        if (owner.isEmpty()) {
            return local.segmentAt(segment, at).orElse(null);
        }
        HostInfo host = owner.get();
        Router.Forwarded answer = router.forward(host, "GET", segmentPath(environment, segmentKey, at), authorization, null);
        String from = host.host() + ":" + host.port();
        return switch (answer.status()) {
            case 200 -> segments.decode(answer.body(), from);
            case 204 -> null;   // it did not exist at that instant
            default -> throw QueryException.unavailable("instance " + from + " that holds segment '" + segmentKey + "' answered "
                    + answer.status() + "; retry in a moment");
        };
    }

    /** The internal route that answers one segment as of an instant, held by the instance asked. */
    private static String segmentPath(String environment, String segmentKey, Instant at) {
        return "/internal/v1/environments/" + encode(environment) + "/segments/" + encode(segmentKey) + "?asOf="
                + encode(at.toString());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /**
     * @param internalQuery the query string to send the other instances' {@code /internal/v1/audit}
     *                      (the filter and limit; the cursor is added here)
     */
    public ObjectNode audit(ProjectionQueries.AuditFilter filter, String cursor, int limit, String internalQuery,
                            String authorization) {
        List<JsonNode> parts = new ArrayList<>();
        parts.add(local.auditLocal(filter, cursor, limit));
        for (HostInfo host : router.otherInstances()) {
            String query = internalQuery + (cursor == null ? "" : "&position=" + AuditCursor.encode(cursor));
            parts.add(remote(host, "/internal/v1/audit?" + query, authorization));
        }
        String bound = null;
        List<JsonNode> merged = new ArrayList<>();
        for (JsonNode part : parts) {
            JsonNode scannedTo = part.get("scannedTo");
            if (scannedTo != null && !scannedTo.isNull() && (bound == null || scannedTo.asText().compareTo(bound) > 0)) {
                bound = scannedTo.asText();
            }
            part.get("entries").forEach(merged::add);
        }
        merged.sort(Comparator.comparing((JsonNode e) -> e.get("position").asText()).reversed());
        ObjectNode body = ProjectionQueries.JSON.createObjectNode();
        ArrayNode entries = body.putArray("entries");
        String last = null;
        for (JsonNode entry : merged) {
            String position = entry.get("position").asText();
            if (entries.size() == limit || (bound != null && position.compareTo(bound) <= 0)) {
                break;
            }
            ObjectNode copy = ((ObjectNode) entry).deepCopy();
            copy.remove("position");
            entries.add(copy);
            last = position;
        }
        String next;
        if (entries.size() == limit) {
            next = last;
        } else if (bound != null) {
            next = bound + '\u0000';   // just above the bound: the next page starts with it
        } else {
            next = null;
        }
        if (next == null) {
            body.putNull("nextCursor");
        } else {
            body.put("nextCursor", AuditCursor.encode(next));
        }
        return body;
    }

    /** Every flag and segment, from every instance. */
    public ObjectNode export(ObjectNode localPart, String internalPath, String authorization) {
        ObjectNode body = ProjectionQueries.JSON.createObjectNode();
        ArrayNode flags = body.putArray("flags");
        ArrayNode segments = body.putArray("segments");
        List<JsonNode> parts = new ArrayList<>();
        parts.add(localPart);
        for (HostInfo host : router.otherInstances()) {
            parts.add(remote(host, internalPath, authorization));
        }
        List<JsonNode> allFlags = new ArrayList<>();
        List<JsonNode> allSegments = new ArrayList<>();
        for (JsonNode part : parts) {
            part.get("flags").forEach(allFlags::add);
            part.get("segments").forEach(allSegments::add);
        }
        Comparator<JsonNode> byKey = Comparator.comparing((JsonNode n) -> n.get("environment").asText())
                .thenComparing(n -> n.get("key").asText());
        allFlags.sort(byKey);
        allSegments.sort(byKey);
        allFlags.forEach(flags::add);
        allSegments.forEach(segments::add);
        return body;
    }

    private JsonNode remote(HostInfo host, String pathAndQuery, String authorization) {
        Router.Forwarded answer = router.forward(host, "GET", pathAndQuery, authorization, null);
        if (answer.status() != 200) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " answered " + answer.status()
                    + " for its share of the query; retry in a moment");
        }
        try {
            return ProjectionQueries.JSON.readTree(answer.body());
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " sent an unreadable answer");
        }
    }
}
