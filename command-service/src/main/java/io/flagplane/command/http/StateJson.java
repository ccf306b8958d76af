package io.flagplane.command.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.SegmentState;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.log.Change;
import io.flagplane.command.log.CommandResult;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/** Renders flags, segments and command results as the API's JSON (percentages as numbers with two decimals). */
final class StateJson {

    private StateJson() {
    }

    static ObjectNode flag(FlagState state) {
        FlagDefinition d = state.getDefinition();
        ObjectNode flag = Json.MAPPER.createObjectNode();
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
        flag.put("enabled", state.getEnabled());
        flag.put("killed", state.getKilled());
        flag.put("archived", state.getArchived());
        flag.put("version", state.getVersion());
        flag.put("createdAt", state.getCreatedAt().toString());
        flag.set("lastChange", change(state.getLastChange()));
        return flag;
    }

    static ObjectNode segment(SegmentState state) {
        ObjectNode segment = Json.MAPPER.createObjectNode();
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

    private static ObjectNode change(ChangeInfo change) {
        ObjectNode last = Json.MAPPER.createObjectNode();
        last.put("eventId", change.getEventId());
        last.put("type", change.getEventType());
        last.put("at", change.getOccurredAt().toString());
        last.putObject("actor").put("id", change.getActor().getId()).put("kind", change.getActor().getKind().name());
        last.put("reason", change.getReason());
        last.put("changeSetId", change.getChangeSetId());
        return last;
    }

    private static ArrayNode conditions(List<Condition> conditions) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Condition c : conditions) {
            ObjectNode condition = out.addObject().put("attribute", c.getAttribute()).put("operator", c.getOperator());
            c.getValues().forEach(condition.putArray("values")::add);
        }
        return out;
    }

    static ObjectNode serve(Serve serve) {
        ObjectNode node = Json.MAPPER.createObjectNode();
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

    /** The result of a single-target command: what changed and where, and the state afterwards. */
    static ObjectNode single(CommandResult result) {
        Change change = result.changes().get(0);
        ObjectNode body = position(change);
        body.put("replayed", result.replayed());
        if (change.state() instanceof FlagState f) {
            body.set("flag", flag(f));
        } else if (change.state() instanceof SegmentState s) {
            body.set("segment", segment(s));
        }
        return body;
    }

    /** The result of a change set: one entry per target, in command order. */
    static ObjectNode changeSet(CommandResult result) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("changeSetId", result.changeSetId());
        body.put("replayed", result.replayed());
        ArrayNode changes = body.putArray("changes");
        for (Change change : result.changes()) {
            changes.add(position(change));
        }
        return body;
    }

    private static ObjectNode position(Change change) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("kind", change.target().kind().name().toLowerCase(Locale.ROOT));
        node.put("environment", change.target().environment());
        node.put("key", change.target().key());
        node.put("changed", change.changed());
        node.put("version", change.version());
        if (change.partition() != null) {
            node.put("partition", change.partition());
            node.put("offset", change.offset());
        }
        return node;
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }
}
