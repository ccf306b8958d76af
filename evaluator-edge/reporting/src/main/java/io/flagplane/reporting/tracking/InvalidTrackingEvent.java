package io.flagplane.reporting.tracking;

/**
 * A tracking event that cannot be accepted: which field, and a sentence that names it and says
 * what is allowed. The edge answers it as {@code 400 INVALID_FIELD} with the field; the SDK
 * throws it (an {@link IllegalArgumentException}) to the caller.
 */
public final class InvalidTrackingEvent extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String rule;

    public InvalidTrackingEvent(String field, String rule) {
        super(field + " " + rule);
        this.field = field;
        this.rule = rule;
    }

    /** The field, e.g. {@code eventKey} or {@code attributes.plan}; in a batch, {@code events[3].eventKey}. */
    public String field() {
        return field;
    }

    /** The same refusal about the event at {@code index} of a batch. */
    public InvalidTrackingEvent inBatch(int index) {
        return new InvalidTrackingEvent("events[" + index + "]." + field, rule);
    }
}
