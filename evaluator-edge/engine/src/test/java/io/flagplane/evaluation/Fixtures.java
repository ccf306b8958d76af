package io.flagplane.evaluation;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fluent fixtures for engine tests: {@code Fixtures.booleanFlag("a.b").rule(...).build()}. */
public final class Fixtures {

    private Fixtures() {
    }

    /** An enabled boolean flag with variants on/off, off as its off variant, serving on. */
    public static Flag.Builder booleanFlag(String key) {
        return Flag.builder(key, FlagType.BOOLEAN).variant("on", true).variant("off", false)
                .offVariant("off").fallthrough("on").enabled(true).version(1);
    }

    public static ConditionSpec when(String attribute, String operator, String... values) {
        return ConditionSpec.of(attribute, operator, values);
    }

    public static List<ConditionSpec> all(ConditionSpec... conditions) {
        return Arrays.asList(conditions);
    }

    /** A view over these flags and segments. */
    public static FlagView view(List<Flag> flags, List<Segment> segments) {
        Map<String, Flag> byKey = new HashMap<>();
        flags.forEach(f -> byKey.put(f.key(), f));
        Map<String, Segment> segmentsByKey = new HashMap<>();
        segments.forEach(s -> segmentsByKey.put(s.key(), s));
        return new FlagView() {
            @Override
            public Flag flag(String key) {
                return byKey.get(key);
            }

            @Override
            public Segment segment(String key) {
                return segmentsByKey.get(key);
            }
        };
    }

    public static FlagView view(Flag... flags) {
        return view(List.of(flags), List.of());
    }

    public static EvaluationContext user(String key, Object... attributes) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i + 1 < attributes.length; i += 2) {
            map.put((String) attributes[i], attributes[i + 1]);
        }
        return EvaluationContext.of(key, map);
    }
}
