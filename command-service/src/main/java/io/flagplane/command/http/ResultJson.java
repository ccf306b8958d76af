package io.flagplane.command.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.log.Change;
import io.flagplane.command.log.CommandResult;
import io.flagplane.contract.ExperimentFold;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.json.StateJson;

/** Renders command results as the API's JSON; flags and segments inside them as {@link StateJson} does. */
final class ResultJson {

    private ResultJson() {
    }

    /** The result of a single-target command: what changed and where, and the state afterwards. */
    static ObjectNode single(CommandResult result) {
        Change change = result.changes().get(0);
        ObjectNode body = position(change);
        body.put("replayed", result.replayed());
        if (change.state() instanceof FlagState f) {
            body.set("flag", StateJson.flag(f));
        } else if (change.state() instanceof SegmentState s) {
            body.set("segment", StateJson.segment(s));
        } else if (change.state() instanceof EnvironmentState e) {
            body.set("environment", environment(e));
        } else if (change.state() instanceof ChangeRequestState r) {
            body.set("changeRequest", StateJson.changeRequest(r));
        } else if (change.state() instanceof ScheduledChangeState s) {
            body.set("schedule", StateJson.scheduledChange(s));
        }
        return body;
    }

    /**
     * The result of an experiment command: where its last event went on the flag (the one version to
     * wait for; {@code changed} when any event was written, {@code changeSetId} when there were two),
     * and the experiment afterwards.
     */
    static ObjectNode experiment(CommandResult result, String experimentKey) {
        Change last = result.changes().get(result.changes().size() - 1);
        ObjectNode body = position(last);
        body.put("changed", result.changes().stream().anyMatch(Change::changed));
        body.put("replayed", result.replayed());
        if (result.changeSetId() != null) {
            body.put("changeSetId", result.changeSetId());
        }
        FlagState flag = (FlagState) last.state();
        ExperimentFold.named(flag.getExperiments(), experimentKey)
                .ifPresent(experiment -> body.set("experiment", StateJson.experiment(flag, experiment)));
        return body;
    }

    /**
     * The result of a rollout-plan command: where the plan's last event went ({@code changed} when
     * anything was written), every change of the request in order (the plan's events, its flags'
     * markers, a step's or a rollback's flag changes), {@code changeSetId} when there were several,
     * and the plan afterwards.
     */
    static ObjectNode plan(CommandResult result, PlanRef plan) {
        Change last = null;
        for (Change change : result.changes()) {
            if (change.target().equals(plan)) {
                last = change;
            }
        }
        if (last == null) {
            throw new IllegalStateException("the result holds no change of " + plan.describe());
        }
        ObjectNode body = position(last);
        body.put("changed", result.changes().stream().anyMatch(Change::changed));
        body.put("replayed", result.replayed());
        if (result.changeSetId() != null) {
            body.put("changeSetId", result.changeSetId());
        }
        ArrayNode changes = body.putArray("changes");
        result.changes().forEach(change -> changes.add(position(change)));
        body.set("plan", StateJson.plan((RolloutPlanState) last.state()));
        return body;
    }

    /** A declared environment. */
    static ObjectNode environment(EnvironmentState e) {
        ObjectNode node = StateJson.environment(e);
        node.put("version", e.getVersion());
        node.put("createdAt", e.getCreatedAt().toString());
        node.putObject("lastChange").put("type", e.getLastChange().getEventType()).put("occurredAt",
                e.getLastChange().getOccurredAt().toString()).put("actor", e.getLastChange().getActor().getId());
        return node;
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

    /**
     * How to wait for the change to reach the evaluators: the projection-service's propagation
     * route for this version, as a path (the command-service does not know where the projection is
     * served; a client puts the projection's base URL in front, and may add {@code &wait=5s}).
     */
    static String propagation(FlagRef flag, long version) {
        return "/api/v1/environments/" + flag.environment() + "/flags/" + flag.key() + "/propagation?version=" + version;
    }

    private static ObjectNode position(Change change) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("kind", change.target().noun());
        node.put("environment", change.target().environment());
        node.put("key", change.target().key());
        node.put("changed", change.changed());
        node.put("version", change.version());
        if (change.target() instanceof FlagRef flag) {
            node.put("propagation", propagation(flag, change.version()));
        }
        if (change.partition() != null) {
            node.put("partition", change.partition());
            node.put("offset", change.offset());
        }
        return node;
    }

}
