package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Flags, plans and guardrail verdicts in a few words, for people. */
final class Describe {

    private Describe() {
    }

    static String onOff(JsonNode flag) {
        if (flag.path("archived").asBoolean()) {
            return "archived";
        }
        if (flag.path("killed").asBoolean()) {
            return "KILLED (serves " + flag.path("offVariant").asText("the caller's default") + " to everyone)";
        }
        return flag.path("enabled").asBoolean() ? "on" : "off (disabled: serves " + flag.path("offVariant").asText("the caller's default")
                + " to everyone)";
    }

    static String serve(JsonNode serve) {
        if (serve.has("variant")) {
            return serve.get("variant").asText();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode arm : serve.path("split")) {
            parts.add(percent(arm.path("weight").asDouble()) + " " + arm.path("variant").asText());
        }
        return String.join(" / ", parts);
    }

    static String percent(double weight) {
        return (weight == Math.rint(weight) ? String.valueOf((long) weight) : String.format(Locale.ROOT, "%.2f", weight)) + " %";
    }

    static String targeting(JsonNode flag) {
        List<String> parts = new ArrayList<>();
        for (JsonNode target : flag.path("allowList")) {
            List<String> keys = new ArrayList<>();
            target.path("keys").forEach(k -> keys.add(k.asText()));
            parts.add("users " + String.join(", ", keys) + " → " + target.path("variant").asText());
        }
        if (flag.path("denyList").size() > 0) {
            List<String> keys = new ArrayList<>();
            flag.path("denyList").forEach(k -> keys.add(k.asText()));
            parts.add("denied " + String.join(", ", keys));
        }
        for (JsonNode rule : flag.path("rules")) {
            List<String> conditions = new ArrayList<>();
            for (JsonNode c : rule.path("conditions")) {
                List<String> values = new ArrayList<>();
                c.path("values").forEach(v -> values.add(v.asText()));
                conditions.add(c.path("attribute").asText() + " " + c.path("operator").asText() + " " + String.join(", ", values));
            }
            parts.add("rule " + rule.path("id").asText() + " (" + String.join(" and ", conditions) + ") → "
                    + serve(rule.path("serve")));
        }
        parts.add("everyone else → " + serve(flag.path("fallthrough")));
        return String.join("; ", parts);
    }

    static String plan(JsonNode plan) {
        String status = plan.path("status").asText();
        int steps = plan.path("definition").path("steps").size();
        StringBuilder text = new StringBuilder(plan.path("key").asText());
        if (plan.path("definition").hasNonNull("preset")) {
            text.append(" (").append(plan.path("definition").path("preset").asText()).append(")");
        }
        text.append(": ").append(status);
        if (plan.path("currentStep").asInt(-1) >= 0) {
            text.append(", step ").append(plan.path("currentStepName").asText()).append(" (")
                    .append(plan.path("currentStep").asInt() + 1).append(" of ").append(steps).append(")");
            if (plan.hasNonNull("stepStartedAt")) {
                text.append(" since ").append(plan.get("stepStartedAt").asText());
            }
        }
        if (plan.path("awaitingApproval").asBoolean()) {
            text.append(", waiting for a go");
        }
        if (plan.hasNonNull("statusReason")) {
            text.append(" — ").append(plan.get("statusReason").asText());
        }
        return text.toString();
    }

    static String guardrails(JsonNode plan) {
        if (plan.path("definition").path("guardrails").size() == 0) {
            return "none defined";
        }
        JsonNode signal = plan.path("guardrailSignal");
        if (signal.isMissingNode() || signal.isNull()) {
            return plan.path("definition").path("guardrails").size() + " defined, no verdict yet";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode reading : signal.path("readings")) {
            parts.add(reading.path("guardrail").asText() + " " + reading.path("verdict").asText()
                    + (reading.hasNonNull("summary") ? " (" + reading.get("summary").asText() + ")" : ""));
        }
        return parts.isEmpty() ? "no readings yet" : String.join("; ", parts);
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.isTextual() ? node.asText() : node.toString();
    }
}
