package io.flagplane.evaluation;

import java.util.HashMap;
import java.util.Map;

/** The condition operators of ARCHITECTURE.md, by their wire names. */
public enum Operator {
    IN("in"), NOT_IN("not_in"), EQ("eq"), NEQ("neq"),
    STARTS_WITH("starts_with"), ENDS_WITH("ends_with"), CONTAINS("contains"), MATCHES("matches"),
    LT("lt"), LTE("lte"), GT("gt"), GTE("gte"),
    SEMVER_EQ("semver_eq"), SEMVER_LT("semver_lt"), SEMVER_LTE("semver_lte"), SEMVER_GT("semver_gt"), SEMVER_GTE("semver_gte"),
    BEFORE("before"), AFTER("after"),
    IN_SEGMENT("in_segment");

    private static final Map<String, Operator> BY_NAME = new HashMap<>();

    static {
        for (Operator op : values()) {
            BY_NAME.put(op.wireName, op);
        }
    }

    private final String wireName;

    Operator(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The operator with this wire name, or null: an unknown operator never matches. */
    public static Operator parse(String wireName) {
        return wireName == null ? null : BY_NAME.get(wireName);
    }
}
