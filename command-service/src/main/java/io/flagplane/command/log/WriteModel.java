package io.flagplane.command.log;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.domain.Target;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.SegmentStateFold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service's consistent view: every flag and segment as of the last event this
 * instance has committed or read, and the results remembered for Idempotency-Keys. Written only by
 * the single writer thread (and by the log reader before serving); read by any HTTP thread.
 */
public final class WriteModel implements ReadModel {

    private static final Logger LOG = LoggerFactory.getLogger(WriteModel.class);

    /** A remembered answer and the fingerprint of the request it answered (null for events written before fingerprints). */
    private record Remembered(CommandResult result, Instant at, List<IndexedChange> indexed, String fingerprint) {
    }

    private final Map<Target, FlagState> flags = new ConcurrentHashMap<>();
    private final Map<Target, SegmentState> segments = new ConcurrentHashMap<>();
    private final Map<String, EnvironmentState> environments = new ConcurrentHashMap<>();
    private final Map<String, Remembered> idempotency = new ConcurrentHashMap<>();
    private final Duration idempotencyRetention;

    public WriteModel(Duration idempotencyRetention) {
        this.idempotencyRetention = idempotencyRetention;
    }

    @Override
    public EnvironmentState environment(String name) {
        return environments.get(name);
    }

    /** Every declared environment, archived ones included, by name. */
    public List<EnvironmentState> environments() {
        return environments.values().stream().sorted(Comparator.comparing(EnvironmentState::getName)).toList();
    }

    /** The environments that hold flags or segments, declared or not (written before environments were declared). */
    java.util.Set<String> environmentsInUse() {
        java.util.Set<String> used = new java.util.TreeSet<>();
        flags.keySet().forEach(t -> used.add(t.environment()));
        segments.keySet().forEach(t -> used.add(t.environment()));
        return used;
    }

    @Override
    public FlagState flag(String environment, String key) {
        return flags.get(Target.flag(environment, key));
    }

    @Override
    public SegmentState segment(String environment, String key) {
        return segments.get(Target.segment(environment, key));
    }

    @Override
    public List<FlagState> flags(String environment) {
        return flags.entrySet().stream().filter(e -> e.getKey().environment().equals(environment))
                .map(Map.Entry::getValue).sorted(Comparator.comparing(FlagState::getFlagKey)).toList();
    }

    @Override
    public List<SegmentState> segments(String environment) {
        return segments.entrySet().stream().filter(e -> e.getKey().environment().equals(environment))
                .map(Map.Entry::getValue).sorted(Comparator.comparing(SegmentState::getSegmentKey)).toList();
    }

    /** Flags in every environment, archived ones included. */
    public int flagCount() {
        return flags.size();
    }

    /** Segments in every environment, archived ones included. */
    public int segmentCount() {
        return segments.size();
    }

    /** Declared environments, archived ones included. */
    public int environmentCount() {
        return environments.size();
    }

    /** The state of one target, a {@link FlagState} or a {@link SegmentState}, or null. */
    Object state(Target target) {
        return switch (target.kind()) {
            case FLAG -> flags.get(target);
            case SEGMENT -> segments.get(target);
            case ENVIRONMENT -> environments.get(target.environment());
        };
    }

    void put(Target target, Object state) {
        if (state instanceof FlagState flag) {
            flags.put(target, flag);
        } else if (state instanceof EnvironmentState environment) {
            environments.put(environment.getName(), environment);
        } else {
            segments.put(target, (SegmentState) state);
        }
    }

    /**
     * Folds an event read from the log; one already applied (our own write, read back) changes
     * nothing. Returns the state after the event, or null when it did not apply.
     */
    Object fold(FlagEvent event) {
        boolean segment = SegmentStateFold.isSegmentEvent(event);
        Target target = targetOf(event);
        Object after;
        FlagStateFold.Outcome outcome;
        String detail;
        if (target.kind() == Target.Kind.ENVIRONMENT) {
            EnvironmentStateFold.Result r = EnvironmentStateFold.apply(environments.get(target.environment()), event);
            outcome = r.outcome();
            after = r.state();
            detail = r.detail();
        } else if (segment) {
            SegmentStateFold.Result r = SegmentStateFold.apply(segments.get(target), event);
            outcome = r.outcome();
            after = r.state();
            detail = r.detail();
        } else {
            FlagStateFold.Result r = FlagStateFold.apply(flags.get(target), event);
            outcome = r.outcome();
            after = r.state();
            detail = r.detail();
        }
        if (outcome == FlagStateFold.Outcome.APPLIED) {
            put(target, after);
            if (detail != null) {
                LOG.warn("{}: {}", target.describe(), detail);
            }
            return after;
        }
        if (outcome == FlagStateFold.Outcome.REJECTED) {
            LOG.warn("event {} for {} cannot apply: {}", event.getEventId(), target.describe(), detail);
        }
        return null;
    }

    /** The target an event belongs to. */
    static Target targetOf(FlagEvent event) {
        if (EnvironmentStateFold.isEnvironmentEvent(event)) {
            return Target.environment(event.getEnvironment());
        }
        return SegmentStateFold.isSegmentEvent(event) ? Target.segment(event.getEnvironment(), event.getFlagKey())
                : Target.flag(event.getEnvironment(), event.getFlagKey());
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

    Collection<Target> targets() {
        List<Target> all = new ArrayList<>(flags.keySet());
        all.addAll(segments.keySet());
        return all;
    }
}
