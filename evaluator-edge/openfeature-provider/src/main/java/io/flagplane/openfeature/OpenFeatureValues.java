package io.flagplane.openfeature;

import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Flagplane's plain Java values as OpenFeature's. The engine keeps a JSON flag's whole numbers as
 * {@code Long} (exact, as written); OpenFeature's {@code Structure.asObjectMap()} converts only
 * {@code Integer} and {@code Double} and throws on anything else. So a whole number that fits an
 * int becomes an {@code Integer}, and one that does not a {@code Double} (what any JSON reader in
 * JavaScript would make of it; exact up to 2^53). Metadata keeps a {@code Long} beyond the int
 * range, since {@link ImmutableMetadata} holds longs.
 */
final class OpenFeatureValues {

    private OpenFeatureValues() {
    }

    /** A JSON value (Map, List, String, Boolean, Long, Double, null) as an OpenFeature {@link Value}. */
    static Value value(Object json) {
        if (json == null) {
            return new Value();
        }
        if (json instanceof Map<?, ?> map) {
            MutableStructure structure = new MutableStructure();
            map.forEach((k, v) -> structure.add(String.valueOf(k), value(v)));
            return new Value(structure);
        }
        if (json instanceof List<?> list) {
            List<Value> items = new ArrayList<>(list.size());
            list.forEach(item -> items.add(value(item)));
            return new Value(items);
        }
        if (json instanceof Long || json instanceof Integer || json instanceof Short || json instanceof Byte) {
            long whole = ((Number) json).longValue();
            return whole == (int) whole ? new Value((int) whole) : new Value((double) whole);
        }
        if (json instanceof Number number) {
            return new Value(number.doubleValue());
        }
        if (json instanceof Boolean b) {
            return new Value(b);
        }
        return new Value(json.toString());
    }

    /**
     * The flag's metadata with its version under {@code flagVersion} (a Long, as it always has
     * been); whole numbers that fit an int as Integer (so {@code getInteger} finds them), others
     * as Long.
     */
    static ImmutableMetadata metadata(long flagVersion, Map<String, Object> flagMetadata) {
        if (flagVersion == 0 && flagMetadata.isEmpty()) {
            return ImmutableMetadata.EMPTY;
        }
        ImmutableMetadata.ImmutableMetadataBuilder out = ImmutableMetadata.builder();
        flagMetadata.forEach((key, v) -> {
            if (v instanceof Long l) {
                if (l == l.intValue()) {
                    out.addInteger(key, l.intValue());
                } else {
                    out.addLong(key, l);
                }
            } else if (v instanceof Double d) {
                out.addDouble(key, d);
            } else if (v instanceof Boolean b) {
                out.addBoolean(key, b);
            } else if (v != null) {
                out.addString(key, v.toString());
            }
        });
        if (flagVersion != 0) {
            out.addLong("flagVersion", flagVersion);
        }
        return out.build();
    }
}
