package io.flagplane.projection.plans;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanDefinition;
import java.util.Locale;

/**
 * The JSON of what the projection adds to a rollout plan (the plan itself is the contract's
 * {@code StateJson.plan}): a release signal as the console charts it, and a step's name.
 */
public final class PlanJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanJson() {
    }

    /**
     * A release signal: when, for which step, users exposed per variant since the step started, and
     * each guardrail's verdict, figure, limit, sample and summary. Kinds are written as the plan's
     * definition writes them (lower case); verdicts as the contract names them, like a plan's status.
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
            ObjectNode reading = readings.addObject().put("guardrail", r.getGuardrail())
                    .put("kind", r.getKind().name().toLowerCase(Locale.ROOT)).put("verdict", r.getVerdict().name());
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

    /** The name of step {@code index} (0-based), or null before the plan starts or for an index the plan does not have. */
    public static String stepName(RolloutPlanDefinition definition, int index) {
        return index >= 0 && index < definition.getSteps().size() ? definition.getSteps().get(index).getName() : null;
    }
}
