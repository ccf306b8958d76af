package io.flagplane.evaluation;

/** The value type every variant of a flag shares. */
public enum FlagType {
    /** {@link Boolean} values. */
    BOOLEAN,
    /** {@link String} values. */
    STRING,
    /** {@link Double} values. */
    NUMBER,
    /** Any JSON value: {@link java.util.Map}, {@link java.util.List}, String, Double, Boolean or null. */
    JSON
}
