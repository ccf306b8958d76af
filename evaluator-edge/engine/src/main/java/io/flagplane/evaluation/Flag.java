package io.flagplane.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A flag prepared for evaluation. Everything that can be worked out when the flag arrives is
 * worked out here, once: variant lookups become indexes, target lists become hash sets, and
 * every successful result the flag can produce is built up front, so that serving one allocates
 * nothing.
 *
 * <p>Immutable and safe to share between threads. Build with {@link #builder(String, FlagType)}.
 */
public final class Flag {

    private final String key;
    private final FlagType type;
    private final Variant[] variants;
    private final int offVariant;
    private final int fallthroughVariant;
    private final Map<String, Integer> allowed;
    private final Set<String> denied;
    private final boolean enabled;
    private final boolean killed;
    private final boolean archived;
    private final long version;
    private final String salt;
    private final Reason fallthroughReason;
    /** results[variant][reason.ordinal()]: the shared success result for each pair. */
    private final Evaluation<Object>[][] results;

    @SuppressWarnings("unchecked")
    private Flag(Builder b) {
        this.key = b.key;
        this.type = b.type;
        this.variants = b.variants.toArray(new Variant[0]);
        this.offVariant = indexOf(b.offVariant, "offVariant");
        this.fallthroughVariant = indexOf(b.fallthrough, "fallthrough");
        Map<String, Integer> allowed = new HashMap<>();
        b.allowed.forEach((targetingKey, variant) -> allowed.put(targetingKey, indexOf(variant, "allow list")));
        this.allowed = Map.copyOf(allowed);
        this.denied = Set.copyOf(b.denied);
        this.enabled = b.enabled;
        this.killed = b.killed;
        this.archived = b.archived;
        this.version = b.version;
        this.salt = b.salt == null ? b.key : b.salt;
        this.fallthroughReason = allowed.isEmpty() && denied.isEmpty() ? Reason.STATIC : Reason.DEFAULT;
        Reason[] reasons = Reason.values();
        this.results = new Evaluation[variants.length][reasons.length];
        for (int v = 0; v < variants.length; v++) {
            for (Reason reason : reasons) {
                if (reason != Reason.ERROR) {
                    results[v][reason.ordinal()] = new Evaluation<>(variants[v].value(), variants[v].key(), reason, null,
                            null, version);
                }
            }
        }
    }

    private int indexOf(String variant, String what) {
        for (int i = 0; i < variants.length; i++) {
            if (variants[i].key().equals(variant)) {
                return i;
            }
        }
        throw new IllegalArgumentException("flag " + key + ": " + what + " names variant '" + variant
                + "', which the flag does not have");
    }

    public static Builder builder(String key, FlagType type) {
        return new Builder(key, type);
    }

    public String key() {
        return key;
    }

    public FlagType type() {
        return type;
    }

    public long version() {
        return version;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean killed() {
        return killed;
    }

    public boolean archived() {
        return archived;
    }

    public String salt() {
        return salt;
    }

    public List<Variant> variants() {
        return List.of(variants);
    }

    int offVariant() {
        return offVariant;
    }

    int fallthroughVariant() {
        return fallthroughVariant;
    }

    /** STATIC when nothing but the fallthrough can decide, DEFAULT when targeting exists. */
    Reason fallthroughReason() {
        return fallthroughReason;
    }

    /** The allow-list variant for this targeting key, or -1. */
    int allowedVariant(String targetingKey) {
        Integer v = allowed.get(targetingKey);
        return v == null ? -1 : v;
    }

    boolean denies(String targetingKey) {
        return denied.contains(targetingKey);
    }

    Evaluation<Object> result(int variant, Reason reason) {
        return results[variant][reason.ordinal()];
    }

    @Override
    public String toString() {
        return "Flag[" + key + " v" + version + (killed ? " killed" : enabled ? " enabled" : " disabled") + "]";
    }

    /** Collects a flag's parts; {@link #build()} checks that every variant named exists. */
    public static final class Builder {
        private final String key;
        private final FlagType type;
        private final List<Variant> variants = new ArrayList<>();
        private final Map<String, String> allowed = new HashMap<>();
        private final Set<String> denied = new HashSet<>();
        private String offVariant;
        private String fallthrough;
        private boolean enabled;
        private boolean killed;
        private boolean archived;
        private long version;
        private String salt;

        private Builder(String key, FlagType type) {
            this.key = Objects.requireNonNull(key, "key");
            this.type = Objects.requireNonNull(type, "type");
        }

        public Builder variant(String variantKey, Object value) {
            variants.add(new Variant(variantKey, value));
            return this;
        }

        public Builder offVariant(String variant) {
            this.offVariant = variant;
            return this;
        }

        public Builder fallthrough(String variant) {
            this.fallthrough = variant;
            return this;
        }

        /** Serves {@code variant} to every key in {@code targetingKeys}. */
        public Builder allow(String variant, Collection<String> targetingKeys) {
            targetingKeys.forEach(k -> allowed.put(k, variant));
            return this;
        }

        /** Serves the off variant to every key in {@code targetingKeys}. */
        public Builder deny(Collection<String> targetingKeys) {
            denied.addAll(targetingKeys);
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder killed(boolean killed) {
            this.killed = killed;
            return this;
        }

        public Builder archived(boolean archived) {
            this.archived = archived;
            return this;
        }

        public Builder version(long version) {
            this.version = version;
            return this;
        }

        public Builder salt(String salt) {
            this.salt = salt;
            return this;
        }

        public Flag build() {
            if (variants.isEmpty()) {
                throw new IllegalArgumentException("flag " + key + " has no variants");
            }
            return new Flag(this);
        }
    }
}
