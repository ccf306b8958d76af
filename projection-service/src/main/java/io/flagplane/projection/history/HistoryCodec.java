package io.flagplane.projection.history;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keys and values of the {@code history} and {@code audit} stores.
 *
 * <p>{@code history}: key {@code <recordKey>#<version, 19 digits>}, so one flag's (or segment's)
 * entries are one contiguous, version-ordered range; value: the event's time (8 bytes), the
 * event exactly as it was read from {@code flag-events} (length-prefixed, Confluent wire format),
 * and, every {@value #KEYFRAME_INTERVAL} versions, the full state after it (wire format). Any
 * version's state is then one range read of at most {@value #KEYFRAME_INTERVAL} entries and a
 * fold, and the write path stores each event once, unchanged.
 *
 * <p>{@code audit}: key {@code <epoch millis, 13 digits>#<recordKey>#<version>}, a time-ordered
 * index over every flag; value: what the filters need (actor, event type, tags) so a scan need
 * not decode events it will not return.
 *
 * <p>'#' never occurs in a record key (environments and keys allow neither), so ranges are exact.
 */
public final class HistoryCodec {

    public static final int KEYFRAME_INTERVAL = 32;
    private static final char SEPARATOR = '#';
    private static final char FIELD = '\u001f';
    private static final char ITEM = '\u001e';

    private HistoryCodec() {
    }

    public static String historyKey(String recordKey, long version) {
        return recordKey + SEPARATOR + pad(version, 19);
    }

    /** True when the state after this version is stored with it. */
    public static boolean isKeyframe(long version) {
        return version % KEYFRAME_INTERVAL == 1;
    }

    /** The keyframe at or below {@code version}. */
    public static long keyframeFor(long version) {
        return ((version - 1) / KEYFRAME_INTERVAL) * KEYFRAME_INTERVAL + 1;
    }

    public static String auditKey(long epochMillis, String recordKey, long version) {
        return pad(Math.max(0, epochMillis), 13) + SEPARATOR + recordKey + SEPARATOR + pad(version, 19);
    }

    /** The smallest audit key at {@code epochMillis}. */
    public static String auditFloor(long epochMillis) {
        return pad(Math.max(0, epochMillis), 13) + SEPARATOR;
    }

    /** A key above every audit key at {@code epochMillis}. */
    public static String auditCeiling(long epochMillis) {
        return pad(Math.max(0, epochMillis), 13) + (char) (SEPARATOR + 1);
    }

    /** The parts of an audit key: time, record key, version. */
    public record AuditKey(long epochMillis, String recordKey, long version) {
    }

    public static AuditKey parseAuditKey(String key) {
        int first = key.indexOf(SEPARATOR);
        int last = key.lastIndexOf(SEPARATOR);
        if (first != 13 || last <= first) {
            throw new IllegalArgumentException("not an audit key: " + key);
        }
        return new AuditKey(Long.parseLong(key.substring(0, first)), key.substring(first + 1, last),
                Long.parseLong(key.substring(last + 1)));
    }

    private static String pad(long value, int width) {
        String digits = Long.toString(value);
        if (digits.length() >= width) {
            return digits;
        }
        char[] out = new char[width];
        Arrays.fill(out, 0, width - digits.length(), '0');
        digits.getChars(0, digits.length(), out, width - digits.length());
        return new String(out);
    }

    // ------------------------------------------------------------------ history values

    /** One stored history entry, still encoded. */
    public record HistoryValue(long occurredAtMillis, byte[] event, byte[] keyframe) {
        public boolean hasKeyframe() {
            return keyframe != null;
        }
    }

    public static byte[] historyValue(long occurredAtMillis, byte[] event, byte[] keyframe) {
        int size = 12 + event.length + (keyframe == null ? 0 : keyframe.length);
        return ByteBuffer.allocate(size).putLong(occurredAtMillis).putInt(event.length).put(event)
                .put(keyframe == null ? new byte[0] : keyframe).array();
    }

    /** Only the time, without copying the rest: what a binary search by time needs. */
    public static long occurredAtMillis(byte[] value) {
        return ByteBuffer.wrap(value, 0, 8).getLong();
    }

    public static HistoryValue readHistoryValue(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long at = buffer.getLong();
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalArgumentException("corrupt history value: event length " + length);
        }
        byte[] event = new byte[length];
        buffer.get(event);
        byte[] keyframe = null;
        if (buffer.hasRemaining()) {
            keyframe = new byte[buffer.remaining()];
            buffer.get(keyframe);
        }
        return new HistoryValue(at, event, keyframe);
    }

    // ------------------------------------------------------------------ audit values

    /** What the audit filters look at. */
    public record AuditValue(String actorId, String eventType, List<String> tags) {
    }

    public static byte[] auditValue(String actorId, String eventType, List<String> tags) {
        StringBuilder out = new StringBuilder(64).append(actorId).append(FIELD).append(eventType).append(FIELD);
        for (int i = 0; i < tags.size(); i++) {
            if (i > 0) {
                out.append(ITEM);
            }
            out.append(tags.get(i));
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static AuditValue readAuditValue(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        int a = text.indexOf(FIELD);
        int b = text.indexOf(FIELD, a + 1);
        if (a < 0 || b < 0) {
            throw new IllegalArgumentException("corrupt audit value");
        }
        List<String> tags = new ArrayList<>();
        if (b + 1 < text.length()) {
            int from = b + 1;
            for (int at = text.indexOf(ITEM, from); at >= 0; at = text.indexOf(ITEM, from)) {
                tags.add(text.substring(from, at));
                from = at + 1;
            }
            tags.add(text.substring(from));
        }
        return new AuditValue(text.substring(0, a), text.substring(a + 1, b), tags);
    }
}
