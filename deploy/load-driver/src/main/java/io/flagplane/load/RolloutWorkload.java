package io.flagplane.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Seed 001's most common command, at volume: {@code PATCH …/rollout {"percentage": p}} on a pool
 * of boolean flags, round-robin. Every command is a real change (the percentage a flag gets on
 * its n-th visit differs from the one before), so each one is a durable event, never a no-op.
 * With {@code batch > 1} the commands go as change sets of {@code batch} distinct flags.
 */
final class RolloutWorkload {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String environment;
    private final String keyPrefix;
    private final int flags;
    private final int batch;

    RolloutWorkload(String environment, String runId, int flags, int batch) {
        if (flags < batch) {
            throw new IllegalArgumentException("need at least as many flags (" + flags + ") as commands per change set (" + batch + ")");
        }
        this.environment = environment;
        this.keyPrefix = "load." + runId + ".f";
        this.flags = flags;
        this.batch = batch;
    }

    int batch() {
        return batch;
    }

    String flagKey(int index) {
        return keyPrefix + index;
    }

    /** The change sets that create the pool: every flag boolean and enabled, 100 to a change set. */
    String createChangeSet(int from, int to) {
        ObjectNode body = JSON.createObjectNode().put("reason", "load driver: create the flag pool");
        ArrayNode commands = body.putArray("commands");
        for (int i = from; i < to; i++) {
            commands.addObject().put("action", "createFlag").put("environment", environment).put("key", flagKey(i))
                    .put("type", "boolean").put("enabled", true).put("description", "load-driver flag");
        }
        return body.toString();
    }

    /** The {@code seq}-th request: its path and JSON body. */
    Request request(long seq) {
        if (batch == 1) {
            int index = (int) (seq % flags);
            return new Request("PATCH", "/api/v1/environments/" + environment + "/flags/" + flagKey(index) + "/rollout",
                    JSON.createObjectNode().put("percentage", percentage(seq)).put("reason", "load driver").toString());
        }
        ObjectNode body = JSON.createObjectNode().put("reason", "load driver");
        ArrayNode commands = body.putArray("commands");
        for (int i = 0; i < batch; i++) {
            long command = seq * batch + i;
            commands.addObject().put("action", "setRollout").put("environment", environment)
                    .put("flag", flagKey((int) (command % flags))).put("percentage", percentage(command));
        }
        return new Request("POST", "/api/v1/changesets", body.toString());
    }

    /** 1..99 by visit: consecutive visits to one flag never repeat a percentage. */
    private int percentage(long command) {
        long visit = command / flags;
        return (int) (visit % 99) + 1;
    }

    record Request(String method, String path, String body) {
    }
}
