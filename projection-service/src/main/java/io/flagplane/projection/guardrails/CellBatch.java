package io.flagplane.projection.guardrails;

import java.util.HashMap;
import java.util.Map;

/**
 * What one measuring partition sends the plan's evaluator: its current value of every cell of the
 * plan that changed (null: the cell is now empty), by {@link GuardrailStores#cellSuffix}. Values,
 * not increments: a batch delivered twice (at-least-once) or after a later one of another partition
 * leaves the evaluator with the same shares.
 *
 * @param partition the measuring partition (of {@code flag-exposures} and {@code tracking-events})
 * @param complete  every cell the partition holds for the plan (sent once after the measuring task
 *                  starts): the evaluator replaces the partition's share rather than updating it
 */
public record CellBatch(int partition, boolean complete, Map<String, Cell> cells) {

    public CellBatch {
        cells = java.util.Collections.unmodifiableMap(new HashMap<>(cells));   // null values allowed: emptied cells
    }
}
