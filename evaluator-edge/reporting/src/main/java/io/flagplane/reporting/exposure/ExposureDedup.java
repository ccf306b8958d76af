package io.flagplane.reporting.exposure;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which (environment, experiment, user) exposures, and which (environment, plan, user, variant)
 * plan exposures, were logged within the window, so the topic carries users, not requests. A plan
 * exposure's variant is part of what is remembered (a step that moves a user to another variant
 * exposes them again); an experiment's is not (its arms are fixed while it runs), and is given as
 * null, so an experiment and a plan that share a key never stand for each other. Both share one
 * table and its capacity. Bounded: a fixed table of {@code capacity} entries (a power of two)
 * in sets of {@value #WAYS}; a new entry takes an empty place in its set, else the oldest one's.
 * Forgetting an entry only means that user's next exposure is logged again, which the analysis
 * tolerates (it counts a user from their first exposure). Memory: the table plus one small entry
 * per remembered user, holding the caller's own strings (a targeting key longer than
 * {@value #KEPT_KEY_CHARS} characters is remembered by a 64-bit hash instead, so a hostile key
 * cannot make an entry large): about 100 bytes per entry for typical keys.
 *
 * <p>Hot path ({@link #admit} for a user already logged): three (four) cached {@link String#hashCode()}s
 * mixed, up to {@value #WAYS} acquire reads of an {@link AtomicReferenceArray} (entries are
 * immutable records, so no stronger ordering is needed to read one whole), and {@code equals} on
 * strings that are usually the very same instances. No lock and no allocation; an entry is
 * allocated only when an exposure is logged. Entries are immutable and swapped by
 * compare-and-set (a thread that loses the race looks again, so it usually finds the winner's
 * entry); two threads logging the same new user at once may rarely both log it (a repeat, which
 * is tolerated), never neither.
 */
final class ExposureDedup {

    static final int WAYS = 4;
    static final int KEPT_KEY_CHARS = 64;
    /** {@link #admit}: the exposure was logged within the window; do not log it. */
    static final int DUPLICATE = -1;
    /** {@link #admit}: log it; it is not remembered (no window, or another thread changed its set meanwhile). */
    static final int NOT_REMEMBERED = -2;

    /** {@code scope} is the experiment's or the plan's key; {@code variant} is null for an experiment. */
    private record Entry(int hash, String environment, String scope, String variant, String targetingKey, long keyHash, long at) {
    }

    private final long windowMillis;
    private final AtomicReferenceArray<Entry> table;
    private final int setMask;
    private final LongAdder evictions = new LongAdder();

    ExposureDedup(long windowMillis, int capacity) {
        this.windowMillis = windowMillis;
        int entries = capacity <= WAYS ? WAYS : Math.min(Integer.highestOneBit(capacity - 1) << 1,
                ExposureSettings.MAX_DEDUP_CAPACITY);
        this.table = new AtomicReferenceArray<>(windowMillis > 0 ? entries : 0);
        this.setMask = entries / WAYS - 1;
    }

    /** Entries the table holds at most. */
    int capacity() {
        return table.length();
    }

    /** Entries forgotten while still inside their window, to make room (each may cost a repeated exposure). */
    long evictions() {
        return evictions.sum();
    }

    /** {@link #admit(String, String, String, String, long)} for an experiment exposure (no variant). */
    int admit(String environment, String experiment, String targetingKey, long now) {
        return admit(environment, experiment, null, targetingKey, now);
    }

    /**
     * Whether to log this exposure at {@code now} (epoch millis): {@link #DUPLICATE} when it was
     * logged less than a window ago; else it is remembered from now and the answer is its place
     * in the table (for {@link #forget}), or {@link #NOT_REMEMBERED}.
     *
     * @param scope   the experiment's key, or the plan's
     * @param variant null for an experiment; the variant served, for a plan
     */
    int admit(String environment, String scope, String variant, String targetingKey, long now) {
        if (windowMillis <= 0) {
            return NOT_REMEMBERED;
        }
        int hash = hash(environment, scope, variant, targetingKey);
        int base = (spread(hash) & setMask) * WAYS;
        for (int attempt = 0; attempt < 3; attempt++) {
            int victim = -1;
            Entry victimEntry = null;
            Entry expired = null;
            for (int i = 0; i < WAYS; i++) {
                Entry entry = table.getAcquire(base + i);
                if (entry == null) {
                    if (victimEntry != null || victim < 0) {
                        victim = i;
                        victimEntry = null;
                    }
                    continue;
                }
                if (entry.hash == hash && same(entry, environment, scope, variant, targetingKey)) {
                    if (now - entry.at < windowMillis) {
                        return DUPLICATE;
                    }
                    victim = i;   // this user's own entry, past its window: renew it in place
                    expired = entry;
                    break;
                }
                if (victim < 0 || (victimEntry != null && entry.at < victimEntry.at)) {
                    victim = i;
                    victimEntry = entry;
                }
            }
            Entry replaced = expired != null ? expired : victimEntry;
            boolean keep = targetingKey.length() <= KEPT_KEY_CHARS;
            Entry entry = new Entry(hash, environment, scope, variant, keep ? targetingKey : null,
                    keep ? 0 : longHash(targetingKey), now);
            if (table.compareAndSet(base + victim, replaced, entry)) {
                if (expired == null && replaced != null && now - replaced.at < windowMillis) {
                    evictions.increment();
                }
                return base + victim;
            }
            // another thread changed the set meanwhile (perhaps logging this very user): look again
        }
        return NOT_REMEMBERED;
    }

    /** {@link #forget(int, String, String, String, String)} for an experiment exposure. */
    void forget(int slot, String environment, String experiment, String targetingKey) {
        forget(slot, environment, experiment, null, targetingKey);
    }

    /** Forgets the exposure remembered at {@code slot} (it could not be queued): the user's next evaluation logs it again. */
    void forget(int slot, String environment, String scope, String variant, String targetingKey) {
        if (slot < 0) {
            return;
        }
        Entry entry = table.getAcquire(slot);
        if (entry != null && same(entry, environment, scope, variant, targetingKey)) {
            table.compareAndSet(slot, entry, null);
        }
    }

    private static boolean same(Entry entry, String environment, String scope, String variant, String targetingKey) {
        return entry.scope.equals(scope) && entry.environment.equals(environment)
                && (entry.variant == null ? variant == null : entry.variant.equals(variant))
                && (entry.targetingKey != null ? entry.targetingKey.equals(targetingKey)
                : targetingKey.length() > KEPT_KEY_CHARS && entry.keyHash == longHash(targetingKey));
    }

    /** From the strings' own cached hash codes: nothing is computed twice for a string a caller reuses. */
    private static int hash(String environment, String scope, String variant, String targetingKey) {
        int h = 31 * (31 * environment.hashCode() + scope.hashCode()) + targetingKey.hashCode();
        return variant == null ? h : 31 * h + variant.hashCode();
    }

    private static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }

    /** FNV-1a over the characters with MurmurHash3's finaliser: for long keys only, which are rare. */
    static long longHash(String text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
