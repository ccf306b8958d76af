package io.flagplane.evaluation;

import java.lang.management.ManagementFactory;
import java.util.function.IntUnaryOperator;

/**
 * Counts the bytes the calling thread allocates, for the tests that hold the hot paths to zero
 * (here and, through the test-jar, in the ruleset). Bytes, not time: the machine's noise cannot
 * make such a test flaky.
 */
public final class AllocationMeter {

    private AllocationMeter() {
    }

    /**
     * The bytes this thread allocates over {@code measured} calls of {@code step} (given the call's
     * index), after {@code warmup} calls so that the JIT has compiled the path. {@code step}'s
     * results are summed and checked, so that the JIT cannot drop the work.
     */
    public static long bytesAllocated(int warmup, int measured, IntUnaryOperator step) {
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += step.applyAsInt(i);
        }
        long before = threadAllocatedBytes();
        for (int i = 0; i < measured; i++) {
            sink += step.applyAsInt(i);
        }
        long allocated = threadAllocatedBytes() - before;
        if (sink == Long.MIN_VALUE) {
            throw new AssertionError("unreachable: keeps the results alive");
        }
        return allocated;
    }

    private static long threadAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
