package io.flagplane.projection.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.json.StateJson;
import io.flagplane.projection.history.EntryJson;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.projection.query.Audit;
import io.flagplane.projection.query.Export;
import io.flagplane.projection.query.ProjectionQueries;
import io.flagplane.projection.query.TimeTravel;
import java.time.Instant;

/** The JSON bodies of the query answers: the queries return records, and this is the only place they become JSON. */
public final class ProjectionJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProjectionJson() {
    }

    static ObjectNode history(ProjectionQueries.HistoryPage page) {
        AggregateRef subject = page.subject();
        ObjectNode body = JSON.createObjectNode();
        body.put("environment", subject.environment()).put("key", subject.key()).put("kind", subject.noun());
        ArrayNode entries = body.putArray("entries");
        for (HistoryReader.Entry entry : page.entries()) {
            entries.add(EntryJson.render(subject.environment(), subject.key(), subject.noun(),
                    entry, null));
        }
        if (page.nextCursor() == null) {
            body.putNull("nextCursor");
        } else {
            body.put("nextCursor", Long.toString(page.nextCursor()));
        }
        return body;
    }

    static ObjectNode diff(ProjectionQueries.Diff diff) {
        ObjectNode body = JSON.createObjectNode();
        body.put("environment", diff.subject().environment()).put("key", diff.subject().key())
                .put("from", diff.from()).put("to", diff.to());
        body.set("changes", diff.changes());
        return body;
    }

    static ObjectNode evaluation(TimeTravel.Answer answer) {
        ObjectNode body = JSON.createObjectNode();
        body.put("environment", answer.environment());
        body.put("key", answer.key());
        body.put("asOf", answer.asOf().toString());
        body.put("flagVersion", answer.flagVersion());
        body.putPOJO("value", answer.value());
        body.put("variant", answer.variant());
        body.put("reason", answer.reason().name());
        if (answer.errorCode() != null) {
            body.put("errorCode", answer.errorCode().name());
            body.put("errorMessage", answer.errorMessage());
        }
        if (answer.reasonDetail() != null) {
            body.put("reasonDetail", answer.reasonDetail());
        }
        return body;
    }

    static ObjectNode auditPage(Audit.Page page) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode entries = body.putArray("entries");
        for (Audit.Entry entry : page.entries()) {
            AggregateRef subject = entry.subject();
            entries.add(EntryJson.render(subject.environment(), subject.key(), subject.noun(), entry.change(), entry.tags()));
        }
        body.put("nextCursor", page.nextCursor());
        return body;
    }

    /**
     * The export's body, the same from the HTTP API and from the replay tool.
     *
     * @param environment the one environment exported, or null for every readable one
     */
    public static ObjectNode export(Instant asOf, String environment, Export export) {
        ObjectNode body = JSON.createObjectNode();
        body.put("asOf", asOf.toString());
        if (environment != null) {
            body.put("environment", environment);
        }
        ArrayNode flags = body.putArray("flags");
        export.flags().forEach(flag -> flags.add(StateJson.flag(flag)));
        ArrayNode segments = body.putArray("segments");
        export.segments().forEach(segment -> segments.add(StateJson.segment(segment)));
        return body;
    }
}
