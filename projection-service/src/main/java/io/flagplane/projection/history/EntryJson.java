package io.flagplane.projection.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.FlagStateFold;
import java.util.List;

/**
 * The one JSON shape of a history entry: a flag's or segment's history page shows it, and the
 * audit log shows it with the entry's tags. One renderer, so the two never drift apart.
 */
public final class EntryJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EntryJson() {
    }

    /**
     * @param kind "flag", "segment", "environment", "change-request", "plan" or "scheduled-change"
     * @param tags the flag's tags (the audit log), or null to leave them out (a history page)
     */
    public static ObjectNode render(String environment, String key, String kind, HistoryReader.Entry entry, List<String> tags) {
        FlagEvent event = entry.event();
        ObjectNode node = JSON.createObjectNode();
        node.put("environment", environment);
        node.put("key", key);
        node.put("kind", kind);
        node.put("version", entry.version());
        node.put("occurredAt", entry.occurredAt().toString());
        node.put("type", FlagStateFold.typeOf(event));
        node.putObject("actor").put("id", event.getActor().getId()).put("kind", event.getActor().getKind().name());
        node.put("reason", event.getReason());
        node.put("changeSetId", event.getChangeSetId());
        node.put("eventId", event.getEventId());
        if (entry.summary() != null) {
            node.put("summary", entry.summary());
        }
        if (tags != null) {
            tags.forEach(node.putArray("tags")::add);
        }
        node.set("diff", entry.diff());
        return node;
    }
}
