package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.DefinitionRules;
import io.flagplane.command.domain.ExperimentRules;
import io.flagplane.command.domain.Names;
import io.flagplane.command.domain.StandaloneExperiment;
import io.flagplane.contract.AvroContract;
import io.flagplane.http.Instants;
import io.flagplane.http.JsonInputException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads experiment commands from request JSON: the definition (description, the measured split's
 * {@code ruleId}, {@code controlVariant}, metrics, scheduled {@code launchAt} / {@code stopAt}), and
 * the two shapes of a creation — on an existing flag ({@code flagKey}), or seed 003's standalone
 * shape ({@code variants} with relative weights, creating the flag). Shapes and value types are
 * checked here; ranges and agreement with the flag are the domain's ({@code ExperimentRules}).
 */
final class ExperimentJson {

    static {
        AvroContract.trustGeneratedClasses();   // Avro builders resolve defaults through the generated classes
    }

    /** The fields of an experiment definition, shared by createExperiment and updateExperiment. */
    static final Set<String> DEFINITION = Set.of("description", "ruleId", "controlVariant", "primaryMetric", "secondaryMetrics",
            "launchAt", "stopAt");
    private static final Set<String> METRIC_FIELDS = Set.of("eventKey", "kind", "aggregation", "windowHours", "minimumSample");
    private static final Set<String> ARM_FIELDS = Set.of("key", "name", "weight");
    /**
     * What seed 003's standalone shape measures when it names no metric: seed 003's own "conversions
     * within 7 days of exposure", on the tracked event {@code conversion}.
     */
    static final String DEFAULT_EVENT_KEY = "conversion";

    private ExperimentJson() {
    }

    /** A createExperiment command: on {@code flagKey}, or (with {@code variants}) on a flag it creates. */
    static Command.CreateExperiment create(JsonNode node, String environment) {
        String key = Json.requiredText(node, "key", "key");
        Names.checkExperimentKey(key, "key");
        boolean standalone = Json.present(node, "variants", "variants") != null;
        if (!standalone) {
            if (Json.present(node, "flagKey", "flagKey") == null) {
                throw CommandException.invalid("flagKey", "name the flag the experiment runs on (flagKey), or give variants with"
                        + " weights to create one: {\"key\": \"" + key + "\", \"variants\": [{\"key\": \"control\", \"weight\": 50},"
                        + " {\"key\": \"treatment\", \"weight\": 50}]}");
            }
            String flagKey = Json.requiredText(node, "flagKey", "flagKey");
            Names.checkFlagKey(flagKey, "flagKey");
            return new Command.CreateExperiment(environment, key, flagKey, definition(node, false), null);
        }
        if (node.has("ruleId")) {
            throw CommandException.invalid("ruleId", "an experiment that creates its flag measures that flag's fallthrough;"
                    + " leave ruleId out");
        }
        String flagKey = Json.optionalText(node, "flagKey", "flagKey", StandaloneExperiment.flagKeyFor(key));
        Names.checkFlagKey(flagKey, "flagKey");
        ExperimentDefinition definition = definition(node, true);
        FlagDefinition flag = StandaloneExperiment.flag(flagKey, definition.getDescription(), arms(node.get("variants")),
                definition.getControlVariant());
        return new Command.CreateExperiment(environment, key, flagKey, definition, flag);
    }

    /**
     * A definition from the fields of {@link #DEFINITION} in {@code node}. {@code primaryMetric} is
     * required, unless {@code defaultPrimary} (seed 003's shape, which names none).
     */
    static ExperimentDefinition definition(JsonNode node, boolean defaultPrimary) {
        JsonNode primary = Json.present(node, "primaryMetric", "primaryMetric");
        ExperimentMetric primaryMetric;
        if (primary != null) {
            primaryMetric = metric(primary, "primaryMetric");
        } else if (defaultPrimary) {
            primaryMetric = ExperimentMetric.newBuilder().setEventKey(DEFAULT_EVENT_KEY).setKind(MetricKind.CONVERSION).build();
        } else {
            throw CommandException.invalid("primaryMetric", "primaryMetric is required: {\"eventKey\": \"booking_confirmed\","
                    + " \"kind\": \"conversion\"} (or \"value\", with \"aggregation\": \"sum\" or \"mean\")");
        }
        List<ExperimentMetric> secondary = new ArrayList<>();
        JsonNode list = Json.present(node, "secondaryMetrics", "secondaryMetrics");
        if (list != null) {
            if (!list.isArray()) {
                throw CommandException.invalid("secondaryMetrics", "secondaryMetrics must be an array of metrics");
            }
            if (list.size() > ExperimentRules.MAX_SECONDARY_METRICS) {
                throw CommandException.invalid("secondaryMetrics", "an experiment has at most "
                        + ExperimentRules.MAX_SECONDARY_METRICS + " secondary metrics, not " + list.size());
            }
            for (int i = 0; i < list.size(); i++) {
                secondary.add(metric(list.get(i), "secondaryMetrics[" + i + "]"));
            }
        }
        return ExperimentDefinition.newBuilder()
                .setDescription(Json.optionalText(node, "description", "description", ""))
                .setRuleId(Json.optionalText(node, "ruleId", "ruleId", null))
                .setControlVariant(Json.optionalText(node, "controlVariant", "controlVariant", null))
                .setPrimaryMetric(primaryMetric)
                .setSecondaryMetrics(secondary)
                .setLaunchAt(instant(node, "launchAt"))
                .setStopAt(instant(node, "stopAt"))
                .build();
    }

    static ExperimentMetric metric(JsonNode node, String path) {
        if (!node.isObject()) {
            throw CommandException.invalid(path, path + " must be an object: {\"eventKey\": \"...\", \"kind\": \"conversion\"}");
        }
        Json.allowOnly(node, path, METRIC_FIELDS);
        MetricKind kind = symbol(node, "kind", path, MetricKind.class, null);
        if (kind == null) {
            throw CommandException.invalid(path + ".kind", path + ".kind is required: conversion or value");
        }
        if (kind == MetricKind.CONVERSION && node.has("aggregation")) {
            throw CommandException.invalid(path + ".aggregation", "aggregation applies to value metrics; a conversion metric counts"
                    + " the users who sent the event");
        }
        ExperimentMetric.Builder metric = ExperimentMetric.newBuilder()
                .setEventKey(Json.requiredText(node, "eventKey", path + ".eventKey"))
                .setKind(kind)
                .setAggregation(symbol(node, "aggregation", path, ValueAggregation.class, ValueAggregation.SUM));
        JsonNode window = Json.present(node, "windowHours", path + ".windowHours");
        if (window != null) {
            if (!window.isIntegralNumber() || !window.canConvertToInt()) {
                throw CommandException.invalid(path + ".windowHours", path + ".windowHours is a whole number of hours, not "
                        + Json.abbreviate(window.toString()));
            }
            metric.setWindowHours(window.intValue());
        }
        JsonNode minimum = Json.present(node, "minimumSample", path + ".minimumSample");
        if (minimum != null) {
            if (!minimum.isIntegralNumber() || !minimum.canConvertToLong()) {
                throw CommandException.invalid(path + ".minimumSample", path + ".minimumSample is a whole number of users, not "
                        + Json.abbreviate(minimum.toString()));
            }
            metric.setMinimumSample(minimum.longValue());
        }
        return metric.build();
    }

    /** A lower-case enum symbol ({@code conversion}, {@code mean}), or {@code fallback} when absent; {@code path} "" at the top level. */
    static <E extends Enum<E>> E symbol(JsonNode node, String field, String path, Class<E> type, E fallback) {
        String at = Json.path(path, field);
        JsonNode value = Json.present(node, field, at);
        if (value == null) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT);
            if (value.isTextual() && value.textValue().equals(name)) {
                return e;
            }
            names.add(name);
        }
        throw CommandException.invalid(at, at + " " + Json.abbreviate(value.toString()) + " is not one of " + String.join(", ", names));
    }

    /** Seed 003's variants: {@code {"key": "control", "weight": 50}} (seed 003 itself says {@code "name"}; either, not both). */
    private static List<StandaloneExperiment.Arm> arms(JsonNode variants) {
        if (!variants.isArray()) {
            throw CommandException.invalid("variants", "variants must be an array of {\"key\": \"...\", \"weight\": relative weight}");
        }
        if (variants.size() > DefinitionRules.MAX_VARIANTS) {
            throw CommandException.invalid("variants", "an experiment has at most "
                    + DefinitionRules.MAX_VARIANTS + " variants");
        }
        List<StandaloneExperiment.Arm> arms = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            String path = "variants[" + i + "]";
            JsonNode arm = variants.get(i);
            if (!arm.isObject()) {
                throw CommandException.invalid(path, path + " must be {\"key\": \"...\", \"weight\": relative weight}");
            }
            Json.allowOnly(arm, path, ARM_FIELDS);
            if (arm.has("key") == arm.has("name")) {
                throw CommandException.invalid(path + ".key", path + " needs its key (\"key\", or seed 003's \"name\"; not both)");
            }
            String field = arm.has("key") ? "key" : "name";
            String key = Json.requiredText(arm, field, path + "." + field);
            JsonNode weight = Json.present(arm, "weight", path + ".weight");
            if (weight == null || !weight.isNumber()) {
                throw CommandException.invalid(path + ".weight", path + ".weight is required: a relative weight above 0");
            }
            arms.add(new StandaloneExperiment.Arm(key, weight.decimalValue()));
        }
        return arms;
    }

    static Instant instant(JsonNode node, String field) {
        String text = Json.optionalText(node, field, field, null);
        try {
            Instant instant = Instants.parse(text, field);
            return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);   // what the event keeps (timestamp_ms)
        } catch (JsonInputException e) {
            throw CommandException.invalid(field, e.getMessage());
        }
    }
}
