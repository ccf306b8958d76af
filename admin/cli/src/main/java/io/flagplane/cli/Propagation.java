package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Has my change reached the evaluators?" — through the projection's public propagation route
 * ({@code …/flags/{key}/propagation?version=V&wait=…}), the path every command answer links.
 */
public final class Propagation {

    /** One flag version to wait for: the path the command answer gave. */
    public record Target(String flag, long version, String path) {
    }

    /** How far each target got: the projection's answers, and whether all are complete. */
    public record Outcome(List<JsonNode> answers, boolean complete, Duration waited) {
    }

    private Propagation() {
    }

    /** The flag versions a command answer wrote, the latest per flag (a change set may write a flag several times). */
    public static List<Target> targets(JsonNode answer) {
        Map<String, Target> latest = new LinkedHashMap<>();
        List<JsonNode> changes = new ArrayList<>();
        if (answer.has("changes")) {
            answer.get("changes").forEach(changes::add);
        } else {
            changes.add(answer);
        }
        for (JsonNode change : changes) {
            if (!change.path("changed").asBoolean(false) || !change.hasNonNull("propagation")) {
                continue;
            }
            Target target = new Target(change.path("key").asText(), change.path("version").asLong(), change.get("propagation").asText());
            Target seen = latest.get(target.flag());
            if (seen == null || seen.version() < target.version()) {
                latest.put(target.flag(), target);
            }
        }
        return new ArrayList<>(latest.values());
    }

    /** Waits until every target is on every expected evaluator, or the timeout passes. */
    public static Outcome await(Api api, List<Target> targets, Duration timeout) {
        long begin = System.nanoTime();
        long deadline = begin + timeout.toNanos();
        List<JsonNode> answers = new ArrayList<>();
        boolean complete = true;
        for (Target target : targets) {
            JsonNode answer;
            while (true) {
                long remaining = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                long wait = Math.min(remaining, 30_000);
                String separator = target.path().contains("?") ? "&" : "?";
                answer = api.get(Api.Service.PROJECTION, target.path() + separator + "wait=" + wait + "ms",
                        Duration.ofMillis(wait + 10_000));
                if (answer.path("complete").asBoolean(false) || System.nanoTime() >= deadline) {
                    break;
                }
            }
            answers.add(answer);
            complete &= answer.path("complete").asBoolean(false);
        }
        return new Outcome(answers, complete, Duration.ofNanos(System.nanoTime() - begin));
    }

    /** {@code live on 20 of 20 nodes in 31 ms}, or {@code live on 3 of 4 nodes after 10 s; pending: edge-…}. */
    public static String describe(JsonNode answer, Duration waited) {
        long expected = answer.path("expected").asLong();
        long applied = answer.path("applied").asLong();
        String environment = answer.path("environment").asText();
        if (expected == 0) {
            return "no live evaluator serves " + environment + " to confirm it";
        }
        if (answer.path("complete").asBoolean(false)) {
            long latency = -1;
            for (JsonNode evaluator : answer.path("evaluators")) {
                if (evaluator.has("latencyMs")) {
                    latency = Math.max(latency, evaluator.get("latencyMs").asLong());
                }
            }
            return "live on " + applied + " of " + expected + " " + nodes(expected) + " in "
                    + (latency >= 0 ? latency + " ms" : Durations.human(waited));
        }
        List<String> pending = new ArrayList<>();
        answer.path("pending").forEach(p -> pending.add(p.isObject() ? p.path("nodeId").asText() : p.asText()));
        return "live on " + applied + " of " + expected + " " + nodes(expected) + " after " + Durations.human(waited)
                + (pending.isEmpty() ? "" : "; pending: " + String.join(", ", pending));
    }

    private static String nodes(long n) {
        return "nodes";
    }

    /** The answer for scripts: the command's own JSON with {@code "live"} — the propagation answers waited for. */
    public static JsonNode withLive(JsonNode answer, Outcome outcome) {
        if (outcome == null || !answer.isObject()) {
            return answer;
        }
        ObjectNode copy = ((ObjectNode) answer).deepCopy();
        ArrayNode live = copy.putArray("live");
        outcome.answers().forEach(live::add);
        return copy;
    }
}
