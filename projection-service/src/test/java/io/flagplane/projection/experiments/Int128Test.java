package io.flagplane.projection.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int128Test {

    @Test
    void sums_of_squares_added_and_taken_away_in_any_order_are_exact() {
        Random random = new Random(5);
        Int128 sum = Int128.ZERO;
        BigInteger expected = BigInteger.ZERO;
        for (int i = 0; i < 10_000; i++) {
            long value = random.nextLong() >> (20 + random.nextInt(20));   // up to 2^43: 10,000 squares stay inside 128 bits
            Int128 square = Int128.square(value);
            BigInteger big = BigInteger.valueOf(value).pow(2);
            if (random.nextInt(3) == 0) {
                sum = sum.minus(square);
                expected = expected.subtract(big);
            } else {
                sum = sum.plus(square);
                expected = expected.add(big);
            }
            assertThat(sum.toBigInteger()).isEqualTo(expected);
        }
        assertThat(sum.toDouble()).isEqualTo(expected.doubleValue(), org.assertj.core.api.Assertions.within(Math.abs(expected.doubleValue()) * 1e-15));
    }
}
