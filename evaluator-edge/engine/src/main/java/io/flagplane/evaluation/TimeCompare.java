package io.flagplane.evaluation;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * {@code before}/{@code after} one instant; the attribute may be an Instant, epoch millis, or
 * ISO-8601 text. Instants are compared in the years 0000 to 9999 (four-digit ISO-8601 years,
 * well inside epoch milliseconds): an operand outside them is refused, a value outside them
 * does not match.
 */
final class TimeCompare extends Condition {
    static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    /** Exclusive. */
    static final Instant END = Instant.parse("+10000-01-01T00:00:00Z");
    private static final long EARLIEST_MILLIS = EARLIEST.toEpochMilli();
    private static final long END_MILLIS = END.toEpochMilli();

    final boolean before;
    final long operandMillis;

    TimeCompare(String attribute, boolean before, long operandMillis) {
        super(attribute);
        this.before = before;
        this.operandMillis = operandMillis;
    }

    static long operand(Operator op, String text) {
        Instant instant = parseInstant(text);
        if (instant == null) {
            throw new OperandRefused(op.wireName() + " needs an ISO-8601 instant such as 2026-01-01T00:00:00Z, not "
                    + OperandRefused.quote(text));
        }
        if (!supported(instant)) {
            throw new OperandRefused(op.wireName() + " needs an instant in the years 0000 to 9999, not "
                    + OperandRefused.quote(text));
        }
        return instant.toEpochMilli();
    }

    private static boolean supported(Instant instant) {
        return !instant.isBefore(EARLIEST) && instant.isBefore(END);
    }

    @Override
    boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
        long millis;
        if (value instanceof Instant i) {
            if (!supported(i)) {
                return false;
            }
            millis = i.toEpochMilli();
        } else if (value instanceof Number n) {
            double d = n.doubleValue(); // exact for every long in range: the range is far below 2^53
            if (!(d >= EARLIEST_MILLIS && d < END_MILLIS)) { // NaN fails too
                return false;
            }
            millis = (long) d;
        } else if (value instanceof String s) {
            Instant i = parseInstant(s);
            if (i == null || !supported(i)) {
                return false;
            }
            millis = i.toEpochMilli();
        } else {
            return false;
        }
        return before ? millis < operandMillis : millis > operandMillis;
    }

    /** ISO-8601 text ({@code 2026-01-01T00:00:00Z}, or with an offset) as an instant, or null. */
    static Instant parseInstant(String text) {
        if (text.length() > 64) {
            return null; // no instant is written this long: don't make the parser read 10,000 characters
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeException again) {
                return null;
            }
        }
    }
}
