package io.flagplane.projection.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagState;
import io.flagplane.projection.lifecycle.Lifecycle;
import io.flagplane.projection.telemetry.EvaluatorEntry;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.projection.telemetry.Propagation;
import io.flagplane.projection.telemetry.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** The JSON of the answers built from evaluator reports: propagation, evaluators, usage and lifecycle. */
final class TelemetryJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY_MS = 86_400_000L;

    private TelemetryJson() {
    }

    static ObjectNode propagation(Propagation p) {
        ObjectNode body = JSON.createObjectNode();
        body.put("environment", p.flag().environment()).put("key", p.flag().key()).put("version", p.version());
        body.put("versionAt", instant(p.versionAt()));
        body.put("complete", p.complete());
        body.put("live", p.live()).put("expected", p.expected()).put("applied", p.applied());
        ArrayNode pending = body.putArray("pending");
        ArrayNode applied = body.putArray("evaluators");
        for (Propagation.Node node : p.nodes()) {
            ObjectNode json = (node.pending() ? pending : applied).addObject();
            json.put("nodeId", node.entry().nodeId()).put("kind", lower(node.entry().kind())).put("host", node.entry().host());
            json.put("liveness", node.liveness().wire()).put("status", lower(node.entry().status()));
            json.put("lastSeen", instant(node.entry().lastSeenMs()));
            if (!node.pending()) {
                json.put("appliedVersion", node.appliedVersion()).put("appliedAt", instant(node.appliedAt()));
                json.put("exact", node.exact());
                if (node.latencyMillis() == null) {
                    json.putNull("latencyMs");
                } else {
                    json.put("latencyMs", node.latencyMillis());
                }
            }
        }
        return body;
    }

    static ObjectNode evaluators(List<EvaluatorEntry> nodes, Liveness.Rules rules, Instant now, String environment) {
        ObjectNode body = JSON.createObjectNode();
        if (environment != null) {
            body.put("environment", environment);
        }
        ObjectNode counts = body.putObject("counts");
        for (Liveness liveness : Liveness.values()) {
            counts.put(liveness.wire(), 0);
        }
        ArrayNode list = body.putArray("evaluators");
        for (EvaluatorEntry node : nodes) {
            Liveness liveness = rules.of(node, now);
            counts.put(liveness.wire(), counts.get(liveness.wire()).asInt() + 1);
            ObjectNode json = list.addObject();
            json.put("nodeId", node.nodeId()).put("kind", lower(node.kind())).put("host", node.host());
            node.environments().forEach(json.putArray("environments")::add);
            json.put("softwareVersion", node.softwareVersion()).put("contractFingerprint", node.contractFingerprint());
            json.put("liveness", liveness.wire()).put("status", lower(node.status()));
            json.put("staleSince", node.staleSinceMs() == null ? null : instant(node.staleSinceMs()));
            if (node.lagRecords() == null) {
                json.putNull("lagRecords");
            } else {
                json.put("lagRecords", node.lagRecords());
            }
            json.put("startedAt", instant(node.startedAtMs())).put("lastSeen", instant(node.lastSeenMs()));
            json.put("heartbeatMs", node.heartbeatMs());
            json.put("droppedSinceStart", node.droppedSinceStart()).put("droppedByProjection", node.droppedEntries());
        }
        return body;
    }

    static ObjectNode usage(FlagState flag, UsageEntry usage, Lifecycle.Verdict verdict, Instant now) {
        ObjectNode body = JSON.createObjectNode();
        body.put("environment", flag.getEnvironment()).put("key", flag.getFlagKey());
        lifecycle(body, flag, usage, verdict);
        long today = Math.floorDiv(now.toEpochMilli(), DAY_MS);
        long total = 0;
        ArrayNode days = body.putArray("evaluationsPerDay");
        for (long day = today - UsageEntry.DAYS + 1; day <= today; day++) {
            long count = usage == null ? 0 : usage.evaluationsOn(day);
            total += count;
            days.addObject().put("day", LocalDate.ofEpochDay(day).toString()).put("evaluations", count);
        }
        body.put("evaluations", total);
        ObjectNode variants = body.putObject("variants");
        if (usage != null) {
            usage.variantsSince(today - UsageEntry.DAYS + 1).forEach(variants::put);
        }
        return body;
    }

    static ObjectNode flags(String environment, Lifecycle.Status filter, List<Row> rows) {
        ObjectNode body = JSON.createObjectNode();
        body.put("environment", environment);
        body.put("status", filter == null ? null : filter.wire());
        ArrayNode flags = body.putArray("flags");
        for (Row row : rows) {
            ObjectNode json = flags.addObject().put("key", row.flag().getFlagKey());
            lifecycle(json, row.flag(), row.usage(), row.verdict());
        }
        return body;
    }

    /** One flag of a list by status. */
    record Row(FlagState flag, UsageEntry usage, Lifecycle.Verdict verdict) {
    }

    private static void lifecycle(ObjectNode json, FlagState flag, UsageEntry usage, Lifecycle.Verdict verdict) {
        json.put("status", verdict.status().wire()).put("reason", verdict.reason());
        json.put("kind", lower(flag.getDefinition().getKind().name()));
        Duration lifetime = Lifecycle.lifetime(flag);
        if (lifetime == null) {
            json.putNull("lifetimeDays");
        } else {
            json.put("lifetimeDays", lifetime.toDays());
        }
        json.put("createdAt", flag.getCreatedAt().toString());
        json.put("lastEvaluated", usage == null || usage.lastEvaluatedMs() == 0 ? null : instant(usage.lastEvaluatedMs()));
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static String instant(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
