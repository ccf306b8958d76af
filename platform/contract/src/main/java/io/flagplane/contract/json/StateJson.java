package io.flagplane.contract.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.Approval;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.ChangeRequestComment;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagSnapshot;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.SegmentState;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON view of flags and segments that every HTTP API shows (the command API, history, time
 * travel, exports): variant values as JSON, split weights as percentages with two decimals,
 * instants as ISO-8601, the OpenFeature metadata as an object, {@code offVariant} null for a
 * flag that serves the caller's default when off, the flag's prerequisites (an empty list when
 * it has none: the body a replace takes back), and the flag's experiments (only when it has
 * carried any).
 */
public final class StateJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StateJson() {
    }

    public static ObjectNode flag(FlagState state) {
        FlagDefinition d = state.getDefinition();
        ObjectNode flag = MAPPER.createObjectNode();
        flag.put("environment", state.getEnvironment());
        flag.put("key", state.getFlagKey());
        flag.put("type", d.getType().name().toLowerCase(Locale.ROOT));
        flag.put("description", d.getDescription());
        d.getTags().forEach(flag.putArray("tags")::add);
        flag.put("owner", d.getOwner());
        ArrayNode variants = flag.putArray("variants");
        for (Variant v : d.getVariants()) {
            ObjectNode variant = variants.addObject().put("key", v.getKey());
            variant.set("value", json(v.getValueJson()));
            if (v.getDescription() != null) {
                variant.put("description", v.getDescription());
            }
        }
        flag.put("offVariant", d.getOffVariant());
        ArrayNode rules = flag.putArray("rules");
        for (Rule r : d.getRules()) {
            ObjectNode rule = rules.addObject().put("id", r.getId());
            if (r.getDescription() != null) {
                rule.put("description", r.getDescription());
            }
            rule.set("conditions", conditions(r.getConditions()));
            rule.set("serve", serve(r.getServe()));
        }
        flag.set("fallthrough", serve(d.getFallthrough()));
        ArrayNode allow = flag.putArray("allowList");
        for (Target t : d.getAllowList()) {
            ObjectNode target = allow.addObject().put("variant", t.getVariant());
            t.getKeys().forEach(target.putArray("keys")::add);
        }
        d.getDenyList().forEach(flag.putArray("denyList")::add);
        ArrayNode prerequisites = flag.putArray("prerequisites");
        for (Prerequisite p : d.getPrerequisites()) {
            ObjectNode prerequisite = prerequisites.addObject().put("flagKey", p.getFlagKey());
            p.getVariants().forEach(prerequisite.putArray("variants")::add);
        }
        flag.set("metadata", metadata(d.getMetadata()));
        flag.put("kind", d.getKind().name().toLowerCase(Locale.ROOT));
        if (d.getLifetimeDays() != null) {
            flag.put("lifetimeDays", d.getLifetimeDays());   // left out when the kind's lifetime applies
        }
        flag.put("enabled", state.getEnabled());
        flag.put("killed", state.getKilled());
        flag.put("archived", state.getArchived());
        flag.put("version", state.getVersion());
        flag.put("createdAt", state.getCreatedAt().toString());
        flag.set("lastChange", change(state.getLastChange()));
        if (!state.getExperiments().isEmpty()) {   // left out for a flag that never carried one, as before experiments
            ArrayNode experiments = flag.putArray("experiments");
            state.getExperiments().forEach(e -> experiments.add(experiment(state, e)));
        }
        if (state.getPlan() != null) {   // left out unless a rollout plan runs on the flag, as before plans
            flag.put("plan", state.getPlan());
        }
        return flag;
    }

    /**
     * An experiment and the flag it runs on: its status, whether evaluators log exposures for it now
     * ({@code measuring}: running on a flag that is enabled, not killed and not archived, so the
     * split serves), its definition (the body an update takes back; {@code ruleId} left out means
     * the fallthrough), the arms and weights fixed at launch, and its instants.
     */
    public static ObjectNode experiment(FlagState flag, Experiment experiment) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("environment", flag.getEnvironment());
        node.put("key", experiment.getKey());
        node.put("flagKey", flag.getFlagKey());
        node.put("flagVersion", flag.getVersion());
        node.put("status", experiment.getStatus().name());
        node.put("measuring", experiment.getStatus() == ExperimentStatus.RUNNING && flag.getEnabled() && !flag.getKilled()
                && !flag.getArchived());
        ExperimentDefinition d = experiment.getDefinition();
        ObjectNode definition = node.putObject("definition");
        definition.put("description", d.getDescription());
        if (d.getRuleId() != null) {
            definition.put("ruleId", d.getRuleId());
        }
        if (d.getControlVariant() != null) {
            definition.put("controlVariant", d.getControlVariant());
        }
        definition.set("primaryMetric", metric(d.getPrimaryMetric()));
        ArrayNode secondary = definition.putArray("secondaryMetrics");
        d.getSecondaryMetrics().forEach(m -> secondary.add(metric(m)));
        if (d.getLaunchAt() != null) {
            definition.put("launchAt", d.getLaunchAt().toString());
        }
        if (d.getStopAt() != null) {
            definition.put("stopAt", d.getStopAt().toString());
        }
        ArrayNode arms = node.putArray("arms");
        for (WeightedVariant arm : experiment.getArms()) {
            arms.addObject().put("variant", arm.getVariant()).put("weight", BigDecimal.valueOf(arm.getWeight(), 2));
        }
        node.put("createdAt", experiment.getCreatedAt().toString());
        node.put("launchedAt", experiment.getLaunchedAt() == null ? null : experiment.getLaunchedAt().toString());
        node.put("launchedAtVersion", experiment.getLaunchedAtVersion());
        node.put("stoppedAt", experiment.getStoppedAt() == null ? null : experiment.getStoppedAt().toString());
        node.put("winner", experiment.getWinner());
        return node;
    }

    /** A metric as the command API takes it: lower-case kind, aggregation for value metrics, minimumSample when set. */
    public static ObjectNode metric(ExperimentMetric metric) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("eventKey", metric.getEventKey());
        node.put("kind", metric.getKind().name().toLowerCase(Locale.ROOT));
        if (metric.getKind() == MetricKind.VALUE) {
            node.put("aggregation", metric.getAggregation().name().toLowerCase(Locale.ROOT));
        }
        node.put("windowHours", metric.getWindowHours());
        if (metric.getMinimumSample() != null) {
            node.put("minimumSample", metric.getMinimumSample());
        }
        return node;
    }

    /**
     * A flag's OpenFeature metadata as a JSON object, keys sorted (so equal flags render to equal
     * bytes): strings, booleans, integers (longs) and floats (doubles), as they are.
     */
    public static ObjectNode metadata(Map<String, Object> metadata) {
        ObjectNode out = MAPPER.createObjectNode();
        for (Map.Entry<String, Object> e : new TreeMap<>(metadata).entrySet()) {
            Object v = e.getValue();
            if (v instanceof Boolean b) {
                out.put(e.getKey(), b);
            } else if (v instanceof Long l) {
                out.put(e.getKey(), l);
            } else if (v instanceof Double d) {
                out.put(e.getKey(), d);
            } else if (v != null) {
                out.put(e.getKey(), v.toString());
            }
        }
        return out;
    }

    public static ObjectNode segment(SegmentState state) {
        ObjectNode segment = MAPPER.createObjectNode();
        segment.put("environment", state.getEnvironment());
        segment.put("key", state.getSegmentKey());
        segment.put("description", state.getDefinition().getDescription());
        state.getDefinition().getIncluded().forEach(segment.putArray("included")::add);
        state.getDefinition().getExcluded().forEach(segment.putArray("excluded")::add);
        ArrayNode rules = segment.putArray("rules");
        for (SegmentRule r : state.getDefinition().getRules()) {
            rules.addObject().set("conditions", conditions(r.getConditions()));
        }
        segment.put("archived", state.getArchived());
        segment.put("version", state.getVersion());
        segment.put("createdAt", state.getCreatedAt().toString());
        segment.set("lastChange", change(state.getLastChange()));
        return segment;
    }

    public static ObjectNode change(ChangeInfo change) {
        ObjectNode last = MAPPER.createObjectNode();
        last.put("eventId", change.getEventId());
        last.put("type", change.getEventType());
        last.put("at", change.getOccurredAt().toString());
        last.putObject("actor").put("id", change.getActor().getId()).put("kind", change.getActor().getKind().name());
        last.put("reason", change.getReason());
        last.put("changeSetId", change.getChangeSetId());
        return last;
    }

    private static ArrayNode conditions(List<Condition> conditions) {
        ArrayNode out = MAPPER.createArrayNode();
        for (Condition c : conditions) {
            ObjectNode condition = out.addObject().put("attribute", c.getAttribute()).put("operator", c.getOperator());
            c.getValues().forEach(condition.putArray("values")::add);
        }
        return out;
    }

    public static ObjectNode serve(Serve serve) {
        ObjectNode node = MAPPER.createObjectNode();
        if (serve.getVariant() != null) {
            node.put("variant", serve.getVariant());
            return node;
        }
        ArrayNode split = node.putArray("split");
        for (WeightedVariant w : serve.getSplit().getVariants()) {
            split.addObject().put("variant", w.getVariant()).put("weight", BigDecimal.valueOf(w.getWeight(), 2));
        }
        if (serve.getSplit().getBucketBy() != null) {
            node.put("bucketBy", serve.getSplit().getBucketBy());
        }
        return node;
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(text);
        }
    }

    /** An environment as it is declared: name, description, archived. */
    public static ObjectNode environment(EnvironmentState state) {
        ObjectNode node = MAPPER.createObjectNode().put("name", state.getName());
        if (state.getDescription() != null) {
            node.put("description", state.getDescription());
        }
        node.put("archived", state.getArchived());
        if (state.getApprovalPolicy() != null) {
            node.set("approvalPolicy", policy(state.getApprovalPolicy()));
        }
        return node;
    }

    public static ObjectNode policy(ApprovalPolicy policy) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("requiredApprovals", policy.getRequiredApprovals())
                .put("approverRole", policy.getApproverRole())
                .put("adminBypass", policy.getAdminBypass());
        policy.getTags().forEach(node.putArray("tags")::add);
        return node;
    }

    /** A change request: its content (the commands as the JSON they were sent in), status, approvals and comments. */
    public static ObjectNode changeRequest(ChangeRequestState state) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("environment", state.getEnvironment())
                .put("id", state.getId())
                .put("version", state.getVersion())
                .put("status", state.getStatus().name())
                .put("title", state.getContent().getTitle())
                .put("reason", state.getContent().getReason());
        node.putObject("author").put("id", state.getAuthor().getId()).put("kind", state.getAuthor().getKind().name());
        try {
            node.set("commands", MAPPER.readTree(state.getContent().getCommandsJson()));
        } catch (JsonProcessingException e) {
            node.put("commands", state.getContent().getCommandsJson());
        }
        ObjectNode drafted = node.putObject("draftedAgainst");
        state.getContent().getDraftedAgainst().forEach(drafted::put);
        ArrayNode approvals = node.putArray("approvals");
        for (Approval approval : state.getApprovals()) {
            ObjectNode a = approvals.addObject().put("approver", approval.getApprover().getId()).put("at", approval.getAt().toString());
            if (approval.getComment() != null) {
                a.put("comment", approval.getComment());
            }
        }
        ArrayNode comments = node.putArray("comments");
        for (ChangeRequestComment comment : state.getComments()) {
            comments.addObject().put("author", comment.getAuthor().getId()).put("at", comment.getAt().toString())
                    .put("text", comment.getText());
        }
        node.put("applyAt", state.getApplyAt() == null ? null : state.getApplyAt().toString());
        node.put("appliedChangeSetId", state.getAppliedChangeSetId());
        node.put("createdAt", state.getCreatedAt().toString());
        node.set("lastChange", change(state.getLastChange()));
        return node;
    }

    /**
     * A rollout plan: its status, where it is (the current step, when it started, whether it waits for
     * a person's go), why it last paused, rolled back or completed, what its flags were before it
     * (versions and switches; the definitions stay on the events), and its definition — the body an
     * edit takes back, each step's change as the change-set JSON it will apply.
     */
    public static ObjectNode plan(RolloutPlanState state) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("environment", state.getEnvironment())
                .put("key", state.getKey())
                .put("version", state.getVersion())
                .put("status", state.getStatus().name());
        node.set("definition", planDefinition(state.getDefinition()));
        node.putObject("author").put("id", state.getAuthor().getId()).put("kind", state.getAuthor().getKind().name());
        int current = state.getCurrentStep();
        node.put("currentStep", current);
        List<PlanStep> steps = state.getDefinition().getSteps();
        node.put("currentStepName", current >= 0 && current < steps.size() ? steps.get(current).getName() : null);
        node.put("stepStartedAt", state.getStepStartedAt() == null ? null : state.getStepStartedAt().toString());
        node.put("awaitingApproval", state.getAwaitingApproval());
        node.put("stepApproved", state.getStepApproved());
        node.put("statusReason", state.getStatusReason());
        node.set("beforePlan", snapshots(state.getBeforePlan()));
        node.set("beforeStep", snapshots(state.getBeforeStep()));
        node.put("createdAt", state.getCreatedAt().toString());
        node.set("lastChange", change(state.getLastChange()));
        return node;
    }

    /** A plan's definition as the command API takes it: lower-case kinds and actions, each step's commands as JSON. */
    public static ObjectNode planDefinition(RolloutPlanDefinition d) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("description", d.getDescription());
        d.getFlagKeys().forEach(node.putArray("flagKeys")::add);
        if (d.getTag() != null) {
            node.put("tag", d.getTag());
        }
        if (d.getPreset() != null) {
            node.put("preset", d.getPreset());
        }
        ArrayNode steps = node.putArray("steps");
        for (PlanStep step : d.getSteps()) {
            ObjectNode s = steps.addObject().put("name", step.getName());
            try {
                s.set("commands", MAPPER.readTree(step.getCommandsJson()));
            } catch (JsonProcessingException e) {
                s.put("commands", step.getCommandsJson());
            }
            s.put("holdSeconds", step.getHoldSeconds()).put("manualApproval", step.getManualApproval())
                    .put("minimumSample", step.getMinimumSample());
        }
        ArrayNode guardrails = node.putArray("guardrails");
        for (Guardrail g : d.getGuardrails()) {
            ObjectNode guardrail = guardrails.addObject().put("name", g.getName()).put("kind", lower(g.getKind()));
            if (g.getEventKey() != null) {
                guardrail.put("eventKey", g.getEventKey());
            }
            if (g.getPerEventKey() != null) {
                guardrail.put("perEventKey", g.getPerEventKey());
            }
            if (g.getLimit() != null) {
                guardrail.put("limit", g.getLimit());
            }
            guardrail.put("higherIsWorse", g.getHigherIsWorse()).put("windowSeconds", g.getWindowSeconds())
                    .put("minimumSample", g.getMinimumSample());
            if (g.getPrometheusUrl() != null) {
                guardrail.put("prometheusUrl", g.getPrometheusUrl());
            }
            if (g.getQuery() != null) {
                guardrail.put("query", g.getQuery());
            }
            guardrail.put("onBreach", lower(g.getOnBreach()));
        }
        node.put("rollbackAction", lower(d.getRollbackAction()));
        if (d.getControlVariant() != null) {
            node.put("controlVariant", d.getControlVariant());
        }
        if (d.getTreatmentVariant() != null) {
            node.put("treatmentVariant", d.getTreatmentVariant());
        }
        if (d.getStartAt() != null) {
            node.put("startAt", d.getStartAt().toString());
        }
        return node;
    }

    private static ArrayNode snapshots(List<FlagSnapshot> snapshots) {
        ArrayNode out = MAPPER.createArrayNode();
        for (FlagSnapshot s : snapshots) {
            out.addObject().put("flagKey", s.getFlagKey()).put("version", s.getVersion()).put("enabled", s.getEnabled())
                    .put("killed", s.getKilled());
        }
        return out;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A scheduled change: its content (the commands as the JSON they were sent in, and the version
     * of each flag or segment they touch as it was when scheduled), when it applies, its status, and
     * for a failed one the code and sentence saying why.
     */
    public static ObjectNode scheduledChange(ScheduledChangeState state) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("environment", state.getEnvironment())
                .put("id", state.getId())
                .put("version", state.getVersion())
                .put("status", state.getStatus().name())
                .put("applyAt", state.getApplyAt().toString())
                .put("applyIfMoved", state.getApplyIfMoved())
                .put("title", state.getContent().getTitle())
                .put("reason", state.getContent().getReason());
        node.putObject("author").put("id", state.getAuthor().getId()).put("kind", state.getAuthor().getKind().name());
        node.set("commands", json(state.getContent().getCommandsJson()));
        ObjectNode drafted = node.putObject("draftedAgainst");
        state.getContent().getDraftedAgainst().forEach(drafted::put);
        node.put("appliedChangeSetId", state.getAppliedChangeSetId());
        if (state.getFailure() != null) {
            int colon = state.getFailure().indexOf(": ");
            ObjectNode failure = node.putObject("failure");
            failure.put("code", colon < 0 ? state.getFailure() : state.getFailure().substring(0, colon));
            failure.put("message", colon < 0 ? "" : state.getFailure().substring(colon + 2));
        } else {
            node.putNull("failure");
        }
        node.put("createdAt", state.getCreatedAt().toString());
        node.set("lastChange", change(state.getLastChange()));
        return node;
    }
}
