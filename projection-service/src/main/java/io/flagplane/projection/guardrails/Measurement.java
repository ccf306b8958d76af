package io.flagplane.projection.guardrails;

import io.flagplane.projection.guardrails.GuardrailStores.CellId;
import io.flagplane.projection.guardrails.GuardrailStores.Resolution;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One plan's figures over every measuring partition, read at an instant: per variant, the cells added
 * up, and "since T" answered from the buckets at or after T's bucket (so a window reaches back to the
 * start of the bucket holding its start: at most 10 s more, or an hour for a start past the fine
 * horizon). Built by the evaluator from the shares it holds; immutable.
 */
final class Measurement {

    private final Map<Resolution, Map<String, TreeMap<Long, Cell>>> cells;
    private final Horizons horizons;
    private final long nowMs;

    private Measurement(Map<Resolution, Map<String, TreeMap<Long, Cell>>> cells, Horizons horizons, long nowMs) {
        this.cells = cells;
        this.horizons = horizons;
        this.nowMs = nowMs;
    }

    /** Adds up shares as they are read: {@link #add} each, then {@link #build}. */
    static final class Builder {
        private final Map<Resolution, Map<String, TreeMap<Long, Cell>>> cells = new EnumMap<>(Resolution.class);

        Builder add(CellId id, Cell cell) {
            cells.computeIfAbsent(id.resolution(), r -> new TreeMap<>()).computeIfAbsent(id.variant(), v -> new TreeMap<>())
                    .merge(id.bucketMs(), cell, Cell::plus);
            return this;
        }

        Measurement build(Horizons horizons, long nowMs) {
            return new Measurement(cells, horizons, nowMs);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    long nowMs() {
        return nowMs;
    }

    /** Every variant any cell names. */
    Set<String> variants() {
        Set<String> all = new TreeSet<>();
        cells.values().forEach(byVariant -> all.addAll(byVariant.keySet()));
        return all;
    }

    /** The variant's figures from {@code fromMs} on. */
    Cell since(String variant, long fromMs) {
        Resolution resolution = horizons.toRead(fromMs, nowMs);
        TreeMap<Long, Cell> buckets = cells.getOrDefault(resolution, Map.of()).get(variant);
        if (buckets == null) {
            return Cell.EMPTY;
        }
        Cell sum = Cell.EMPTY;
        for (Cell cell : buckets.tailMap(resolution.bucketOf(fromMs), true).values()) {
            sum = sum.plus(cell);
        }
        return sum;
    }

    /** Users whose latest exposure to the plan is on {@code variant} and at or after {@code fromMs}. */
    long exposedSince(String variant, long fromMs) {
        return since(variant, fromMs).exposed();
    }

    /** Users exposed to any variant at or after {@code fromMs}. */
    long anyExposedSince(long fromMs) {
        long all = 0;
        for (String variant : variants()) {
            all += exposedSince(variant, fromMs);
        }
        return all;
    }
}
