package io.flagplane.projection.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.contract.AggregateRef;
import io.flagplane.projection.history.EntryJson;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.projection.query.ProjectionQueries;
import io.flagplane.projection.query.TimeTravel;

/** The JSON bodies of the per-key answers: the queries return records, and this is the only place they become JSON. */
final class ProjectionJson {

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
        return body;
    }
}
