package io.flagplane.command.log;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.domain.Aggregate;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.EnvironmentRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.SegmentRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service's consistent view: every environment, flag and segment as of the last event this
 * instance has committed or read, and the results remembered for Idempotency-Keys. Written only by
 * the single writer thread (and by the log reader before serving); read by any HTTP thread.
 */
public final class WriteModel implements ReadModel {

    private static final Logger LOG = LoggerFactory.getLogger(WriteModel.class);

    /** A remembered answer and the fingerprint of the request it answered (null for events written before fingerprints). */
    private record Remembered(CommandResult result, Instant at, List<IndexedChange> indexed, String fingerprint) {
    }

    /** Per kind (its ref type), every aggregate's state (a kind's state type). */
    private final Map<Class<?>, Map<AggregateRef, Object>> states = new HashMap<>();
    /** {@code environment/experimentKey} → the key of the flag carrying it (experiments never leave their flag). */
    private final Map<String, String> experimentFlags = new ConcurrentHashMap<>();
    private final Map<String, Remembered> idempotency = new ConcurrentHashMap<>();
    private final Duration idempotencyRetention;

    public WriteModel(Duration idempotencyRetention) {
        this.idempotencyRetention = idempotencyRetention;
        for (Aggregate<?> aggregate : Aggregates.ALL) {
            states.put(aggregate.refType(), new ConcurrentHashMap<>());
        }
    }

    /** A model holding exactly what these events fold to (tests and tools; no Kafka involved). */
    public static WriteModel of(FlagEvent... events) {
        WriteModel model = new WriteModel(Duration.ofHours(48));
        for (FlagEvent event : events) {
            if (model.fold(event) == null) {
                throw new IllegalArgumentException("event " + event.getEventId() + " does not fold");
            }
        }
        return model;
    }

    @Override
    public Object state(AggregateRef target) {
        return states.get(target.getClass()).get(target);
    }

    @Override
    public List<Object> all(Class<? extends AggregateRef> kind, String environment) {
        return states.get(kind).entrySet().stream().filter(e -> e.getKey().environment().equals(environment))
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(AggregateRef::key))).map(Map.Entry::getValue).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<FlagState> flags(String environment) {
        return (List<FlagState>) (List<?>) all(FlagRef.class, environment);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<SegmentState> segments(String environment) {
        return (List<SegmentState>) (List<?>) all(SegmentRef.class, environment);
    }

    /** Every declared environment, archived ones included, by name. */
    public List<EnvironmentState> environments() {
        return states.get(EnvironmentRef.class).values().stream().map(EnvironmentState.class::cast)
                .sorted(Comparator.comparing(EnvironmentState::getName)).toList();
    }

    /** The environments that hold flags or segments, declared or not (written before environments were declared). */
    Set<String> environmentsInUse() {
        Set<String> used = new TreeSet<>();
        states.forEach((kind, byTarget) -> {
            if (kind != EnvironmentRef.class) {
                byTarget.keySet().forEach(t -> used.add(t.environment()));
            }
        });
        return used;
    }

    /** Flags in every environment, archived ones included. */
    public int flagCount() {
        return states.get(FlagRef.class).size();
    }

    /** Segments in every environment, archived ones included. */
    public int segmentCount() {
        return states.get(SegmentRef.class).size();
    }

    /** Declared environments, archived ones included. */
    public int environmentCount() {
        return states.get(EnvironmentRef.class).size();
    }

    @Override
    public String experimentFlag(String environment, String experimentKey) {
        return experimentFlags.get(RecordKeys.of(environment, experimentKey));
    }

    /** Experiments in every environment, on archived flags too. */
    public int experimentCount() {
        return experimentFlags.size();
    }

    /**
     * Every state goes in through here (folded from the log, or committed by the writer), so the
     * experiment index is kept with the flags, and rebuilt with them when the log is read at start.
     */
    void put(AggregateRef target, Object state) {
        states.get(target.getClass()).put(target, Aggregates.of(target).stateType().cast(state));
        if (state instanceof FlagState flag) {
            for (Experiment experiment : flag.getExperiments()) {
                experimentFlags.putIfAbsent(RecordKeys.of(flag.getEnvironment(), experiment.getKey()), flag.getFlagKey());
            }
        }
    }

    /**
     * Folds an event read from the log; one already applied (our own write, read back) changes
     * nothing. Returns the state after the event, or null when it did not apply.
     */
    public Object fold(FlagEvent event) {
        Aggregate<?> aggregate = Aggregates.of(event);
        AggregateRef target = aggregate.targetOf(event);
        Aggregate.Folded<?> folded = aggregate.foldUntyped(state(target), event);
        if (folded.applied()) {
            put(target, folded.state());
            if (folded.detail() != null) {
                LOG.warn("{}: {}", target.describe(), folded.detail());
            }
            return folded.state();
        }
        if (folded.outcome() == FlagStateFold.Outcome.REJECTED) {
            LOG.warn("event {} for {} cannot apply: {}", event.getEventId(), target.describe(), folded.detail());
        }
        return null;
    }

    // ------------------------------------------------------------------ idempotency

    /** The key under which a caller's Idempotency-Key is remembered: per actor, so callers cannot collide. */
    static String idempotencyScope(String actorId, String key) {
        return actorId + "\u0000" + key;
    }

    CommandResult remembered(String scope) {
        Remembered r = idempotency.get(scope);
        return r == null ? null : r.result();
    }

    /** The fingerprint of the request a key answered, or null when unknown. */
    String rememberedFingerprint(String scope) {
        Remembered r = idempotency.get(scope);
        return r == null ? null : r.fingerprint();
    }

    void remember(String scope, CommandResult result, Instant at, String fingerprint) {
        idempotency.put(scope, new Remembered(result, at, List.of(), fingerprint));
    }

    /**
     * Rebuilds a remembered result from events read back after a restart: one change per event of
     * the request, in the order they were written.
     */
    void rememberFromLog(String scope, int index, Change change, String changeSetId, Instant at, String fingerprint) {
        Remembered known = idempotency.get(scope);
        List<IndexedChange> changes = new ArrayList<>(known == null ? List.of() : known.indexed());
        changes.add(new IndexedChange(index, change));
        changes.sort(Comparator.comparingInt(IndexedChange::index));
        idempotency.put(scope, new Remembered(new CommandResult(changes.stream().map(IndexedChange::change).toList(),
                changeSetId, false), at, changes, fingerprint));
    }

    private record IndexedChange(int index, Change change) {
    }

    /** Forgets keys older than the retention (at least 24 h by default 48 h). */
    int forgetOlderThan(Instant now) {
        Instant cutoff = now.minus(idempotencyRetention);
        int before = idempotency.size();
        idempotency.values().removeIf(r -> r.at().isBefore(cutoff));
        return before - idempotency.size();
    }

    /** Idempotency-Keys whose answers are remembered (until the retention passes). */
    public int rememberedKeys() {
        return idempotency.size();
    }
}
