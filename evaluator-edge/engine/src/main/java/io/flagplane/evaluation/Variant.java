package io.flagplane.evaluation;

import java.util.Objects;

/** A named value a flag can serve; the value's Java type follows the flag's {@link FlagType}. */
public record Variant(String key, Object value) {
    public Variant {
        Objects.requireNonNull(key, "key");
    }
}
