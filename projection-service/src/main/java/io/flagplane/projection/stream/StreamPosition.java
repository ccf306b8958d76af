package io.flagplane.projection.stream;

import io.flagplane.projection.query.Names;
import io.flagplane.projection.query.QueryException;
import java.util.Arrays;

/**
 * Where a live event stream stands on {@code flag-events}: the next offset of every partition,
 * written as the SSE event id ({@code "12.0.57"} for three partitions). A client that reconnects
 * with it as {@code Last-Event-ID} resumes exactly after the last event it saw, whatever its
 * filters skipped in between.
 */
public final class StreamPosition {

    private final long[] next;

    public StreamPosition(int partitions) {
        this.next = new long[partitions];
    }

    private StreamPosition(long[] next) {
        this.next = next;
    }

    public int partitions() {
        return next.length;
    }

    public long next(int partition) {
        return next[partition];
    }

    public void advance(int partition, long offset) {
        next[partition] = Math.max(next[partition], offset + 1);
    }

    public void set(int partition, long nextOffset) {
        next[partition] = nextOffset;
    }

    public String encode() {
        StringBuilder out = new StringBuilder(next.length * 4);
        for (int i = 0; i < next.length; i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(next[i]);
        }
        return out.toString();
    }

    /** @throws QueryException 400 when the id is not one this stream gave out for this topic */
    public static StreamPosition decode(String lastEventId, int partitions) {
        String[] parts = lastEventId.trim().split("\\.", -1);
        if (parts.length != partitions) {
            throw QueryException.badParameter("Last-Event-ID", "Last-Event-ID '" + Names.abbreviate(lastEventId) + "' names "
                    + parts.length + " partitions; flag-events has " + partitions + " — send the id of an event this stream sent");
        }
        long[] next = new long[partitions];
        try {
            for (int i = 0; i < partitions; i++) {
                next[i] = Long.parseLong(parts[i]);
                if (next[i] < 0) {
                    throw new NumberFormatException("negative");
                }
            }
        } catch (NumberFormatException e) {
            throw QueryException.badParameter("Last-Event-ID", "Last-Event-ID '" + Names.abbreviate(lastEventId)
                    + "' is not a list of offsets; send the id of an event this stream sent");
        }
        return new StreamPosition(next);
    }

    @Override
    public String toString() {
        return Arrays.toString(next);
    }
}
