package io.flagplane.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.Condition;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.SegmentState;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.ExperimentFold;
import io.flagplane.evaluation.ConditionSpec;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagType;
import io.flagplane.evaluation.Segment;
import io.flagplane.evaluation.ServeSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the wire contract's {@link FlagState} (and {@link SegmentState}) into the engine's
 * prepared {@link Flag} (and {@link Segment}). This is
 * the only place the two models meet (a null off variant stays null: the flag serves the caller's
 * default when off; metadata values arrive as String, Boolean, Long or Double; of the flag's
 * experiments only a RUNNING one reaches the engine, with the split it measures, so a launch, a
 * pause or a stop changes what evaluators log as soon as the flag's new state arrives, like a
 * kill; prerequisites in order, checked by the engine against the same view at each evaluation;
 * the running rollout plan, {@code plan}, which marks every result for plan exposures); a state
 * that does not make sense (a variant value of the
 * wrong JSON type, a serve naming a missing variant) is refused with
 * {@link IllegalArgumentException}, and the caller keeps the flag's previous version.
 */
public final class FlagStateMapper {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private FlagStateMapper() {
    }

    public static Flag toFlag(FlagState state) {
        FlagDefinition definition = state.getDefinition();
        FlagType type = FlagType.valueOf(definition.getType().name());
        Flag.Builder flag = Flag.builder(state.getFlagKey(), type)
                .version(state.getVersion())
                .enabled(state.getEnabled())
                .killed(state.getKilled())
                .archived(state.getArchived())
                .salt(definition.getSalt())
                .offVariant(definition.getOffVariant());
        for (Variant variant : definition.getVariants()) {
            flag.variant(variant.getKey(), value(type, variant, state.getFlagKey()));
        }
        for (Rule rule : definition.getRules()) {
            flag.rule(rule.getId(), conditions(rule.getConditions()), serve(rule.getServe()));
        }
        flag.fallthrough(serve(definition.getFallthrough()));
        for (Target target : definition.getAllowList()) {
            flag.allow(target.getVariant(), target.getKeys());
        }
        flag.deny(definition.getDenyList());
        for (Map.Entry<String, Object> entry : definition.getMetadata().entrySet()) {
            Object value = entry.getValue() instanceof CharSequence text ? text.toString() : entry.getValue();
            flag.metadata(entry.getKey(), value);
        }
        for (Prerequisite prerequisite : definition.getPrerequisites()) {
            flag.prerequisite(prerequisite.getFlagKey(), prerequisite.getVariants());
        }
        flag.plan(state.getPlan());
        ExperimentFold.active(state.getExperiments())
                .filter(experiment -> experiment.getStatus() == ExperimentStatus.RUNNING)
                .ifPresent(experiment -> flag.experiment(experiment.getKey(), measuredRule(experiment)));
        return flag.build();
    }

    private static String measuredRule(Experiment experiment) {
        return experiment.getDefinition().getRuleId();
    }

    /**
     * Turns a {@link SegmentState} into the engine's prepared {@link Segment}. An archived segment
     * becomes one that contains nobody (rules that still name it stop matching through it) but
     * keeps its version, so an older record can never bring it back.
     */
    public static Segment toSegment(SegmentState state) {
        Segment.Builder segment = Segment.builder(state.getSegmentKey()).version(state.getVersion());
        if (!state.getArchived()) {
            SegmentDefinition definition = state.getDefinition();
            segment.include(definition.getIncluded()).exclude(definition.getExcluded());
            for (SegmentRule rule : definition.getRules()) {
                segment.rule(conditions(rule.getConditions()));
            }
        }
        return segment.build();
    }

    static List<ConditionSpec> conditions(List<Condition> conditions) {
        List<ConditionSpec> specs = new ArrayList<>(conditions.size());
        for (Condition c : conditions) {
            specs.add(new ConditionSpec(c.getAttribute(), c.getOperator(), c.getValues()));
        }
        return specs;
    }

    static ServeSpec serve(Serve serve) {
        if (serve.getVariant() != null) {
            return ServeSpec.variant(serve.getVariant());
        }
        if (serve.getSplit() == null) {
            throw new IllegalArgumentException("a serve has neither a variant nor a split");
        }
        List<ServeSpec.Weighted> weights = new ArrayList<>();
        for (WeightedVariant w : serve.getSplit().getVariants()) {
            weights.add(new ServeSpec.Weighted(w.getVariant(), w.getWeight()));
        }
        return ServeSpec.split(weights, serve.getSplit().getBucketBy());
    }

    /** Parses a variant's JSON text into the Java value the engine serves for the flag type. */
    static Object value(FlagType type, Variant variant, String flagKey) {
        JsonNode node;
        try {
            node = JSON.readTree(variant.getValueJson());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("flag " + flagKey + ", variant " + variant.getKey() + ": value is not JSON", e);
        }
        if (node == null) {
            throw new IllegalArgumentException("flag " + flagKey + ", variant " + variant.getKey() + ": value is empty");
        }
        return switch (type) {
            case BOOLEAN -> {
                require(node.isBoolean(), flagKey, variant, "a boolean");
                yield node.booleanValue();
            }
            case STRING -> {
                require(node.isTextual(), flagKey, variant, "a string");
                yield node.textValue();
            }
            case NUMBER -> {
                require(node.isNumber(), flagKey, variant, "a number");
                yield node.doubleValue();
            }
            case JSON -> jsonValue(node);
        };
    }

    /** JSON as plain Java: Map, List, String, Boolean, null, and numbers as Long (whole) or Double. */
    static Object jsonValue(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>(node.size());
            node.forEach(item -> items.add(jsonValue(item)));
            return Collections.unmodifiableList(items);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), jsonValue(e.getValue())));
        return Collections.unmodifiableMap(map);
    }

    private static void require(boolean ok, String flagKey, Variant variant, String what) {
        if (!ok) {
            throw new IllegalArgumentException("flag " + flagKey + ", variant " + variant.getKey() + ": value "
                    + variant.getValueJson() + " is not " + what);
        }
    }
}
