package io.flagplane.projection.query;

import io.flagplane.contract.AggregateRef;
import io.flagplane.projection.history.HistoryReader;
import java.util.List;

/** The audit log's answers, as records; the HTTP layer renders them. */
public final class Audit {

    private Audit() {
    }

    /**
     * One change in the audit log.
     *
     * @param position the entry's audit key: newest first, it orders entries across instances
     * @param tags     the flag's tags when the change was made (empty for segments and environments)
     */
    public record Entry(String position, AggregateRef subject, HistoryReader.Entry change, List<String> tags) {
        public Entry {
            tags = List.copyOf(tags);
        }
    }

    /**
     * One instance's newest matching entries below a position. {@code scannedTo} is set when the
     * scan stopped early (page full or scan budget spent): every matching entry above it was
     * returned, nothing at or below it was looked at.
     */
    public record Share(List<Entry> entries, String scannedTo) {
        public Share {
            entries = List.copyOf(entries);
        }
    }

    /** A page of the whole log; {@code nextCursor} (an opaque, encoded position) is null on the last page. */
    public record Page(List<Entry> entries, String nextCursor) {
        public Page {
            entries = List.copyOf(entries);
        }
    }
}
