package io.flagplane.statistics;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The golden file's tolerances: 1e-9 relative, and 1e-12 absolute for p-values near 0. */
final class Close {

    static final double RELATIVE = 1e-9;
    static final double P_VALUE_ABSOLUTE = 1e-12;

    private Close() {
    }

    static void relative(String what, double expected, double actual) {
        assertTrue(Math.abs(actual - expected) <= RELATIVE * Math.abs(expected),
                () -> what + ": expected " + expected + " but was " + actual
                        + " (relative error " + Math.abs(actual - expected) / Math.abs(expected) + ")");
    }

    static void pValue(String what, double expected, double actual) {
        double error = Math.abs(actual - expected);
        assertTrue(error <= RELATIVE * Math.abs(expected) || error <= P_VALUE_ABSOLUTE,
                () -> what + ": expected " + expected + " but was " + actual + " (error " + error + ")");
    }

    static void interval(String what, double[] expected, Interval actual) {
        relative(what + " lower", expected[0], actual.lower());
        relative(what + " upper", expected[1], actual.upper());
    }
}
