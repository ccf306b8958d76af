package io.flagplane.projection.guardrails;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * How guardrail summaries write numbers, so that a person reads them at a glance and a test can pin
 * them: rates as percentages ({@code 7.2 %}, {@code 5 %}, {@code 0.043 %}), counts with thousands
 * separators ({@code 1,000}), durations in the largest whole unit that fits ({@code 10 min},
 * {@code 90 s}, {@code 2 h}), plain values with at most four significant digits.
 */
final class Figures {

    private Figures() {
    }

    /** A rate in [0, 1] as a percentage without the sign: one decimal from 1 % up (dropped when .0), two significant digits below. */
    static String percent(double rate) {
        if (rate == 0) {
            return "0";
        }
        BigDecimal d = BigDecimal.valueOf(rate).movePointRight(2);   // decimal, so 0.0725 is 7.25 and rounds up
        BigDecimal rounded = d.abs().compareTo(BigDecimal.ONE) >= 0 ? d.setScale(1, RoundingMode.HALF_UP) : d.round(new MathContext(2, RoundingMode.HALF_UP));
        return plain(rounded);
    }

    /** A difference of rates as percentage points: {@code 2.2}, {@code -0.4}, {@code 0.05}. */
    static String points(double difference) {
        return percent(difference);
    }

    /** {@code 1 user}, {@code 1,000 users}. */
    static String users(long n) {
        return count(n) + (n == 1 ? " user" : " users");
    }

    static String count(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    /** A value read from a query: at most four significant digits, no exponent for everyday sizes. */
    static String value(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "NaN" : v == 0 ? "0" : v > 0 ? "+Inf" : "-Inf";
        }
        return plain(BigDecimal.valueOf(v).round(new MathContext(4, RoundingMode.HALF_UP)));
    }

    /** A p-value as it is usually quoted: {@code p < 0.001}, else {@code p = 0.41}. */
    static String pValue(double p) {
        return p < 0.001 ? "p < 0.001" : "p = " + plain(BigDecimal.valueOf(p).round(new MathContext(2, RoundingMode.HALF_UP)));
    }

    /** A split weight in basis points as a percentage: {@code 5000} → {@code 50}, {@code 3333} → {@code 33.33}. */
    static String weight(int basisPoints) {
        return plain(BigDecimal.valueOf(basisPoints, 2));
    }

    /** A duration in seconds, in the largest unit that divides it: {@code 10 min}, {@code 2 h}, {@code 1 h 30 min}, {@code 90 s}. */
    static String duration(long seconds) {
        if (seconds >= 3_600 && seconds % 3_600 == 0) {
            return seconds / 3_600 + " h";
        }
        if (seconds >= 3_600 && seconds % 60 == 0) {
            return seconds / 3_600 + " h " + seconds % 3_600 / 60 + " min";
        }
        if (seconds >= 120 && seconds % 60 == 0) {
            return seconds / 60 + " min";
        }
        return count(seconds) + " s";
    }

    /** An elapsed span, rounded for reading: seconds under two minutes, else whole minutes, else hours and minutes. */
    static String elapsed(long millis) {
        long seconds = Math.max(0, Math.round(millis / 1000.0));
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = Math.round(seconds / 60.0);
        if (minutes < 120) {
            return minutes + " min";
        }
        return minutes % 60 == 0 ? minutes / 60 + " h" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    private static String plain(BigDecimal d) {
        String text = d.stripTrailingZeros().toPlainString();
        return text.equals("-0") ? "0" : text;
    }
}
