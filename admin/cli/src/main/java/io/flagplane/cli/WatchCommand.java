package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flagplane watch}: the projection's live event stream, one line per change. */
@Command(name = "watch", sortOptions = false, description = {"The live event stream: every change as it commits, one line each.",
        "The projection's /api/v1/events/stream; with -o json one JSON object per line. Ctrl-C stops it.",
        "When the stream drops it reconnects and resumes after the last event it printed (Last-Event-ID), so none is",
        "missed or printed twice; it exits 4 when the projection stays unreachable for longer than --reconnect-for."},
        footerHeading = "%nExamples:%n", footer = {"  flagplane watch", "  flagplane watch --flag checkout.new_ui",
        "  flagplane watch --all-environments --type FlagKilled -o json | jq .key"})
final class WatchCommand extends Base {

    @Option(names = "--flag", description = "only this flag")
    String flag;

    @Option(names = "--tag", description = "only flags carrying this tag")
    String tag;

    @Option(names = "--type", description = "only this event type, e.g. FlagKilled")
    String type;

    @Option(names = "--all-environments", description = "every environment, not only -e's")
    boolean allEnvironments;

    @Option(names = "--since", description = "replay from this instant (ISO-8601) first")
    String since;

    @Option(names = "--last-event-id", paramLabel = "ID", description = "resume after this stream position (the one a watch that gave up names)")
    String lastEventId;

    @Option(names = "--count", description = "stop after this many events")
    Integer count;

    @Option(names = "--reconnect-for", paramLabel = "DURATION", converter = Durations.class,
            description = "how long to keep reconnecting a dropped stream before exit 4 (default 60s)")
    Duration reconnectFor = Duration.ofSeconds(60);

    @Override
    void run() {
        if (since != null && lastEventId != null) {
            throw CliException.usage("--since and --last-event-id both say where to start; give one");
        }
        String path = "/api/v1/events/stream" + Api.query("environment", allEnvironments ? null : api().environment(), "flag", flag,
                "tag", tag, "type", type);
        AtomicInteger seen = new AtomicInteger();
        if (!out().json()) {
            out().note("watching " + (allEnvironments ? "every environment" : api().environment())
                    + (flag == null ? "" : ", flag " + flag) + " — Ctrl-C stops");
        }
        ResumableStream stream = new ResumableStream(api(), Api.Service.PROJECTION, path, since, reconnectFor,
                ResumableStream.Backoff.DEFAULT, out()::note)
                .resumingAfter(lastEventId);
        try {
            stream.run(event -> {
                String name = event.getOrDefault("event", "message");
                if (name.equals("heartbeat")) {
                    return;
                }
                String data = event.get("data");
                if (out().json()) {
                    out().line(data.replace('\n', ' '));
                } else {
                    out().line(line(name, data));
                }
                if (count != null && seen.incrementAndGet() >= count) {
                    throw new Done();
                }
            });
        } catch (Done done) {
            // --count reached
        }
    }

    private static final class Done extends RuntimeException {
        Done() {
            super(null, null, false, false);
        }
    }

    static String line(String name, String data) {
        JsonNode e;
        try {
            e = Api.JSON.readTree(data);
        } catch (IOException ex) {
            return name + " " + data;
        }
        String at = e.path("occurredAt").asText("");
        String time = at.length() >= 23 ? at.substring(11, 23) : at;
        StringBuilder line = new StringBuilder(time).append("  ").append(e.path("environment").asText()).append("  ")
                .append(e.path("kind").asText(name)).append(' ').append(e.path("key").asText());
        if (e.has("version")) {
            line.append(" v").append(e.path("version").asLong());
        }
        line.append("  ").append(e.path("type").asText(name));
        if (e.has("actor")) {
            line.append("  by ").append(e.path("actor").path("id").asText());
        }
        if (e.hasNonNull("summary")) {
            line.append("  — ").append(e.get("summary").asText());
        }
        if (e.hasNonNull("reason")) {
            line.append("  (").append(e.get("reason").asText()).append(')');
        }
        return line.toString();
    }
}
