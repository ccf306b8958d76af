package io.flagplane.projection.telemetry;

/**
 * Tells waiting queries that the fold took in a report, so a propagation {@code wait} answers as
 * soon as the last node reports instead of polling the stores. A generation counter: a waiter
 * remembers the generation it last looked at and sleeps until it moves (or its timeout ends), so
 * a signal between its look and its sleep is never lost.
 */
public final class FoldSignal {

    private long generation;

    /** Called by the fold after each report it took in. */
    public synchronized void fire() {
        generation++;
        notifyAll();
    }

    public synchronized long generation() {
        return generation;
    }

    /**
     * Waits until the generation is past {@code seen}, or {@code timeoutMillis} passed.
     *
     * @return the generation now
     */
    public synchronized long awaitAfter(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (generation <= seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return generation;
    }
}
