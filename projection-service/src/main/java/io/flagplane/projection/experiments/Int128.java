package io.flagplane.projection.experiments;

import java.math.BigInteger;

/**
 * A signed 128-bit integer as two longs, for exact sums of squared values: a user's squared value
 * in {@link Units} needs up to ~100 bits, and the sum must not depend on the order of additions.
 * Immutable.
 */
public record Int128(long high, long low) {

    public static final Int128 ZERO = new Int128(0, 0);
    private static final double TWO_64 = 18446744073709551616.0;

    /** {@code value * value}, exactly. */
    public static Int128 square(long value) {
        return new Int128(Math.multiplyHigh(value, value), value * value);
    }

    public Int128 plus(Int128 other) {
        long lo = low + other.low;
        long carry = Long.compareUnsigned(lo, low) < 0 ? 1 : 0;
        return new Int128(high + other.high + carry, lo);
    }

    public Int128 negate() {
        long lo = ~low + 1;
        long hi = ~high + (lo == 0 ? 1 : 0);
        return new Int128(hi, lo);
    }

    public Int128 minus(Int128 other) {
        return plus(other.negate());
    }

    public boolean isZero() {
        return high == 0 && low == 0;
    }

    public double toDouble() {
        double unsignedLow = low >= 0 ? low : low + TWO_64;
        return high * TWO_64 + unsignedLow;
    }

    public BigInteger toBigInteger() {
        return BigInteger.valueOf(high).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(low)));
    }
}
