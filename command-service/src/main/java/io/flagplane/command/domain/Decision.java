package io.flagplane.command.domain;

import io.flagplane.contract.AggregateRef;
/**
 * One target's outcome of a decided command: the event payload to write, or null when the target
 * is already as asked and nothing needs writing (enabling an enabled flag).
 */
public record Decision(AggregateRef target, Object payload) {

    /** Whether this decision writes an event. */
    public boolean writes() {
        return payload != null;
    }
}
