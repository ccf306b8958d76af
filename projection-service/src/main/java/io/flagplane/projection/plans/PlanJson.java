package io.flagplane.projection.plans;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.Actor;
import io.flagplane.avro.FlagSnapshot;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.contract.json.StateJson;
import java.time.Instant;
import java.util.List;

/**
 * The JSON view of a rollout plan and of a scheduled change, as the projection shows them (the plan
 * routes, history diffs, the audit log): the definition with each step's change set as the JSON it
 * was written in, the lifecycle as the contract's enum names, instants as ISO-8601. The flag
 * snapshots a rollback restores are shown by version and switches only (their definitions are in
 * the flags' own histories).
 */
public final class PlanJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanJson() {
    }

    public static ObjectNode plan(RolloutPlanState state) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("environment", state.getEnvironment())
                .put("key", state.getKey())
                .put("version", state.getVersion())
                .put("status", state.getStatus().name());
        node.set("definition", definition(state.getDefinition()));
        node.set("author", actor(state.getAuthor()));
        node.put("currentStep", state.getCurrentStep());
        node.put("currentStepName", stepName(state.getDefinition(), state.getCurrentStep()));
        node.put("stepStartedAt", instant(state.getStepStartedAt()));
        node.put("awaitingApproval", state.getAwaitingApproval());
        node.put("stepApproved", state.getStepApproved());
        node.set("beforePlan", snapshots(state.getBeforePlan()));
        node.set("beforeStep", snapshots(state.getBeforeStep()));
        node.put("statusReason", state.getStatusReason());
        node.put("createdAt", state.getCreatedAt().toString());
        node.set("lastChange", StateJson.change(state.getLastChange()));
        return node;
    }

    public static ObjectNode definition(RolloutPlanDefinition d) {
        ObjectNode node = MAPPER.createObjectNode().put("description", d.getDescription());
        d.getFlagKeys().forEach(node.putArray("flagKeys")::add);
        node.put("tag", d.getTag());
        node.put("preset", d.getPreset());
        ArrayNode steps = node.putArray("steps");
        for (PlanStep step : d.getSteps()) {
            ObjectNode s = steps.addObject().put("name", step.getName());
            s.set("commands", json(step.getCommandsJson()));
            s.put("holdSeconds", step.getHoldSeconds()).put("manualApproval", step.getManualApproval())
                    .put("minimumSample", step.getMinimumSample());
        }
        ArrayNode guardrails = node.putArray("guardrails");
        d.getGuardrails().forEach(g -> guardrails.add(guardrail(g)));
        node.put("rollbackAction", d.getRollbackAction().name());
        node.put("controlVariant", d.getControlVariant());
        node.put("treatmentVariant", d.getTreatmentVariant());
        node.put("startAt", instant(d.getStartAt()));
        return node;
    }

    public static ObjectNode guardrail(Guardrail g) {
        ObjectNode node = MAPPER.createObjectNode().put("name", g.getName()).put("kind", g.getKind().name())
                .put("eventKey", g.getEventKey()).put("perEventKey", g.getPerEventKey());
        if (g.getLimit() == null) {
            node.putNull("limit");
        } else {
            node.put("limit", g.getLimit());
        }
        node.put("higherIsWorse", g.getHigherIsWorse()).put("windowSeconds", g.getWindowSeconds())
                .put("minimumSample", g.getMinimumSample()).put("prometheusUrl", g.getPrometheusUrl()).put("query", g.getQuery())
                .put("onBreach", g.getOnBreach().name());
        return node;
    }

    /**
     * A release signal as the console charts it: when, for which step, users exposed per variant since
     * the step started, and each guardrail's verdict, figure, limit, sample and summary.
     *
     * @param definition the plan's definition, to name the step (null: by number only)
     */
    public static ObjectNode signal(ReleaseSignal signal, RolloutPlanDefinition definition) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("signalId", signal.getSignalId())
                .put("evaluatedAt", signal.getEvaluatedAt().toString())
                .put("step", signal.getStep())
                .put("stepName", definition == null ? null : stepName(definition, signal.getStep()))
                .put("stepStartedAt", signal.getStepStartedAt().toString());
        ObjectNode exposed = node.putObject("exposedUsers");
        signal.getExposedUsers().forEach(exposed::put);
        ArrayNode readings = node.putArray("readings");
        for (GuardrailReading r : signal.getReadings()) {
            ObjectNode reading = readings.addObject().put("guardrail", r.getGuardrail()).put("kind", r.getKind().name())
                    .put("verdict", r.getVerdict().name());
            if (r.getObserved() == null) {
                reading.putNull("observed");
            } else {
                reading.put("observed", r.getObserved());
            }
            if (r.getLimit() == null) {
                reading.putNull("limit");
            } else {
                reading.put("limit", r.getLimit());
            }
            reading.put("sample", r.getSample()).put("summary", r.getSummary());
        }
        return node;
    }

    /** A scheduled change: its content (the commands as the JSON they were sent in), when it applies, and how it went. */
    public static ObjectNode scheduledChange(ScheduledChangeState state) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("environment", state.getEnvironment())
                .put("id", state.getId())
                .put("version", state.getVersion())
                .put("status", state.getStatus().name())
                .put("title", state.getContent().getTitle())
                .put("reason", state.getContent().getReason());
        node.set("commands", json(state.getContent().getCommandsJson()));
        ObjectNode drafted = node.putObject("draftedAgainst");
        state.getContent().getDraftedAgainst().forEach(drafted::put);
        node.put("applyAt", state.getApplyAt().toString());
        node.put("applyIfMoved", state.getApplyIfMoved());
        node.set("author", actor(state.getAuthor()));
        node.put("appliedChangeSetId", state.getAppliedChangeSetId());
        node.put("failure", state.getFailure());
        node.put("createdAt", state.getCreatedAt().toString());
        node.set("lastChange", StateJson.change(state.getLastChange()));
        return node;
    }

    /** The name of step {@code index} (0-based), or null before the plan starts or for an index the plan does not have. */
    public static String stepName(RolloutPlanDefinition definition, int index) {
        return index >= 0 && index < definition.getSteps().size() ? definition.getSteps().get(index).getName() : null;
    }

    private static ArrayNode snapshots(List<FlagSnapshot> snapshots) {
        ArrayNode out = MAPPER.createArrayNode();
        for (FlagSnapshot s : snapshots) {
            out.addObject().put("flagKey", s.getFlagKey()).put("version", s.getVersion()).put("enabled", s.getEnabled())
                    .put("killed", s.getKilled());
        }
        return out;
    }

    private static ObjectNode actor(Actor actor) {
        return MAPPER.createObjectNode().put("id", actor.getId()).put("kind", actor.getKind().name());
    }

    private static String instant(Instant at) {
        return at == null ? null : at.toString();
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(text);
        }
    }
}
