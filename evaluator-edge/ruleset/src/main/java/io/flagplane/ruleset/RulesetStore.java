package io.flagplane.ruleset;

import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.Segment;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link Ruleset} in one {@link AtomicReference} and applies batches of
 * updates copy-on-write. Upserts are version-gated: an update whose version is not above the
 * flag's (or segment's) current version is dropped, so a replayed or duplicated record can never move a flag
 * backwards. Only the applying thread writes; any thread reads.
 *
 * <p>It also says what it applied and when ({@link #onApplied}), for the evaluator report, and
 * gives each flag its usage counters ({@link UsageCounters}) as the flag enters the snapshot.
 */
public final class RulesetStore {

    private static final Logger LOG = LoggerFactory.getLogger(RulesetStore.class);

    /** One flag's new state ({@code flag} set) or removal ({@code flag} null, a Kafka tombstone). */
    public record Update(FlagRef ref, Flag flag) {
    }

    /** One segment's new state or removal; {@code ref} names the segment. */
    public record SegmentUpdate(SegmentRef ref, Segment segment) {
    }

    /** One flag or segment version that passed the version gate. */
    public record AppliedVersion(AggregateRef ref, long version) {
    }

    /** The versions one batch applied, and the instant the snapshot holding them was swapped in. */
    public record Applied(Instant at, List<AppliedVersion> versions) {
    }

    private final AtomicReference<Ruleset> current = new AtomicReference<>(Ruleset.EMPTY);
    private final List<Consumer<List<FlagRef>>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Applied>> appliedListeners = new CopyOnWriteArrayList<>();
    private final UsageCounters usage;
    private final Clock clock;

    /** A store that counts no usage. */
    public RulesetStore() {
        this(UsageCounters.DISABLED, Clock.systemUTC());
    }

    /**
     * @param usage where the flags' usage counters come from ({@link UsageCounters#DISABLED} for none)
     * @param clock what {@link Applied#at()} is read from
     */
    public RulesetStore(UsageCounters usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    public UsageCounters usage() {
        return usage;
    }

    public Ruleset current() {
        return current.get();
    }

    /** Called, on the applying thread, with the flags each applied batch changed. */
    public void onChange(Consumer<List<FlagRef>> listener) {
        listeners.add(listener);
    }

    /**
     * Called, on the applying thread, with the flag and segment versions each batch applied (removals
     * are not versions and are left out) and the instant they started being served.
     */
    public void onApplied(Consumer<Applied> listener) {
        appliedListeners.add(listener);
    }

    /** Applies what moves flags forward; returns the flags that changed. */
    public List<FlagRef> apply(List<Update> updates) {
        return apply(updates, List.of());
    }

    /**
     * Applies what moves flags and segments forward, as one new snapshot. Returns the flags whose
     * answers may have changed: those updated, those whose rules name a changed segment
     * (directly or through other segments), and those that name any of these as a prerequisite
     * (directly or through other prerequisites: a kill of {@code charges.engine} changes what
     * {@code charges.ui} serves, so its listeners hear of it).
     */
    public List<FlagRef> apply(List<Update> updates, List<SegmentUpdate> segmentUpdates) {
        Ruleset before = current.get();
        Map<String, Map<String, Flag>> flagChanges = new HashMap<>();
        Set<FlagRef> changed = new LinkedHashSet<>();
        for (Update update : updates) {
            FlagRef ref = update.ref();
            Map<String, Flag> envChanges = flagChanges.computeIfAbsent(ref.environment(), e -> new HashMap<>());
            Flag known = envChanges.containsKey(ref.key()) ? envChanges.get(ref.key())
                    : before.flag(ref.environment(), ref.key());
            if (update.flag() != null && known != null && update.flag().version() <= known.version()) {
                continue;
            }
            if (update.flag() == null && known == null) {
                continue;
            }
            // interned: every lookup compares the caller's key with the map's, and callers pass literals
            // (which Java interns), so the comparison is one of references instead of characters
            envChanges.put(ref.key().intern(), update.flag());
            changed.add(ref);
        }
        Map<String, Map<String, Segment>> segmentChanges = new HashMap<>();
        List<AppliedVersion> appliedVersions = new ArrayList<>();
        for (FlagRef ref : changed) {
            Flag flag = flagChanges.get(ref.environment()).get(ref.key());
            if (flag != null) {
                appliedVersions.add(new AppliedVersion(ref, flag.version()));
            }
        }
        int segmentsChanged = 0;
        for (SegmentUpdate update : segmentUpdates) {
            SegmentRef ref = update.ref();
            Map<String, Segment> envChanges = segmentChanges.computeIfAbsent(ref.environment(), e -> new HashMap<>());
            Segment known = envChanges.containsKey(ref.key()) ? envChanges.get(ref.key())
                    : before.segment(ref.environment(), ref.key());
            if (update.segment() != null && known != null && update.segment().version() <= known.version()) {
                continue;
            }
            if (update.segment() == null && known == null) {
                continue;
            }
            envChanges.put(ref.key(), update.segment());
            segmentsChanged++;
            if (update.segment() != null) {
                appliedVersions.add(new AppliedVersion(ref, update.segment().version()));
            }
        }
        flagChanges.values().removeIf(Map::isEmpty);
        segmentChanges.values().removeIf(Map::isEmpty);
        if (changed.isEmpty() && segmentsChanged == 0) {
            return List.of();
        }
        Ruleset after = before.with(flagChanges, segmentChanges, changed.size() + segmentsChanged, usage);
        segmentChanges.forEach((environment, segments) -> changed.addAll(flagsUsing(after, environment, segments.keySet())));
        changed.addAll(dependants(after, changed));
        List<FlagRef> changedFlags = List.copyOf(changed);
        current.set(after);
        tellApplied(appliedVersions);
        for (Consumer<List<FlagRef>> listener : listeners) {
            try {
                listener.accept(changedFlags);
            } catch (RuntimeException e) {
                LOG.warn("a ruleset change listener failed", e);
            }
        }
        return changedFlags;
    }

    private void tellApplied(List<AppliedVersion> versions) {
        if (appliedListeners.isEmpty() || versions.isEmpty()) {
            return;
        }
        Applied applied = new Applied(clock.instant(), List.copyOf(versions));
        for (Consumer<Applied> listener : appliedListeners) {
            try {
                listener.accept(applied);
            } catch (RuntimeException e) {
                LOG.warn("an applied-versions listener failed", e);
            }
        }
    }

    /** The flags that name any of {@code changed} as a prerequisite, through nesting too, per environment. */
    private static List<FlagRef> dependants(Ruleset ruleset, Set<FlagRef> changed) {
        Map<String, Set<String>> keysByEnvironment = new HashMap<>();
        changed.forEach(ref -> keysByEnvironment.computeIfAbsent(ref.environment(), e -> new HashSet<>()).add(ref.key()));
        List<FlagRef> out = new ArrayList<>();
        keysByEnvironment.forEach((environment, keys) -> ruleset.dependantsOf(environment, keys)
                .forEach(key -> out.add(new FlagRef(environment, key))));
        return out;
    }

    /** The flags of one environment whose rules reach any of {@code segmentKeys}, through nesting too. */
    private static List<FlagRef> flagsUsing(Ruleset ruleset, String environment, Set<String> segmentKeys) {
        Set<String> reached = new HashSet<>(segmentKeys);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Segment segment : ruleset.segments(environment)) {
                if (!reached.contains(segment.key()) && segment.segmentsReferenced().stream().anyMatch(reached::contains)) {
                    reached.add(segment.key());
                    grew = true;
                }
            }
        }
        List<FlagRef> out = new ArrayList<>();
        for (Flag flag : ruleset.flags(environment)) {
            if (flag.segmentsReferenced().stream().anyMatch(reached::contains)) {
                out.add(new FlagRef(environment, flag.key()));
            }
        }
        return out;
    }
}
