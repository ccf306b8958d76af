package io.flagplane.projection.experiments;

import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.experiments.ExperimentStores.Resolution;
import io.flagplane.projection.query.Names;
import io.flagplane.projection.telemetry.TelemetryStores;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds a partition of {@code flag-exposures} and {@code tracking-events} (co-partitioned, keyed
 * by user, so one user's records meet here) into each user's facts ({@link UserFold}) and this
 * partition's totals per experiment: every change of a user's contribution is applied to the
 * totals in the same task, so a user's facts and what they add to the totals are committed
 * together. Every minute of stream time, the totals that changed are copied into the time series.
 * A wall-clock sweep tidies users nobody has heard from (finalises, lets go of old events, deletes
 * empty users), a bounded number per run.
 *
 * <p>Undecodable records are logged, counted and skipped (telemetry: a lost record costs a count,
 * never a wrong ruleset); a registry that cannot be reached fails the task so it retries.
 */
final class ExperimentFoldProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ExperimentFoldProcessor.class);
    private static final int MAX_TEXT = 256;
    private static final long KEEP_MINUTES_MS = 24 * 3_600_000L;

    private final String exposuresTopic;
    private final AvroDeserializer<Exposure> exposures;
    private final AvroDeserializer<TrackingEvent> tracking;
    private final AvroDeserializer<FlagState> flagStates;
    private final ExperimentsTopology.Settings settings;
    private final ExperimentMetrics metrics;
    private final UserFold fold;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, UserFacts> users;
    private KeyValueStore<String, ExperimentTotals> totals;
    private KeyValueStore<String, Snapshot> series;
    private ExperimentCatalog catalog;
    private int partition;
    private final Set<String> changed = new LinkedHashSet<>();
    private String sweepFrom;

    ExperimentFoldProcessor(String exposuresTopic, AvroDeserializer<Exposure> exposures, AvroDeserializer<TrackingEvent> tracking,
                            AvroDeserializer<FlagState> flagStates, ExperimentsTopology.Settings settings) {
        this.exposuresTopic = exposuresTopic;
        this.exposures = exposures;
        this.tracking = tracking;
        this.flagStates = flagStates;
        this.settings = settings;
        this.metrics = settings.metrics();
        this.fold = new UserFold(settings.limits());
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.users = context.getStateStore(ExperimentStores.USERS);
        this.totals = context.getStateStore(ExperimentStores.TOTALS);
        this.series = context.getStateStore(ExperimentStores.SERIES);
        this.catalog = new ExperimentCatalog(context.getStateStore(TelemetryStores.FLAG_STATES), flagStates, System::nanoTime);
        this.partition = context.taskId().partition();
        context.schedule(java.time.Duration.ofMillis(Resolution.MINUTE.millis), PunctuationType.STREAM_TIME, this::snapshot);
        context.schedule(settings.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, at -> sweep());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null || record.key() == null) {
            return;
        }
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(exposuresTopic);
        boolean exposure = topic.equals(exposuresTopic);
        try {
            if (exposure) {
                exposure(record, exposures.deserialize(topic, record.value()));
            } else {
                tracked(record, tracking.deserialize(topic, record.value()));
            }
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;   // the task fails and retries: the record is fine, the registry is away
            }
            metrics.undecodable.incrementAndGet();
            LOG.warn("skipping undecodable {} record (key {}, {}): {}", exposure ? "exposure" : "tracking-event",
                    Names.abbreviate(record.key()), position(), e.getMessage());
        }
    }

    private void exposure(Record<String, byte[]> record, Exposure e) {
        if (e.getPlanKey() != null || e.getExperimentKey().isEmpty()) {
            metrics.planExposures.incrementAndGet();   // a rollout plan's: its guardrails read it; no experiment's to fold
            return;
        }
        String environment = e.getEnvironment();
        if (!validNames(environment, e.getExperimentKey(), e.getFlagKey()) || !isText(e.getVariant()) || !isText(e.getTargetingKey())
                || !record.key().equals(RecordKeys.ofUser(environment, e.getTargetingKey()))) {
            refuse(record, "an exposure whose names are not valid or whose key is not its user");
            return;
        }
        ExperimentSpec spec = catalog.find(environment, e.getFlagKey(), e.getExperimentKey());
        if (spec != null && (!spec.hasArm(e.getVariant()) || e.getFlagVersion() < spec.launchedAtVersion())) {
            refuse(record, "an exposure to variant '" + Names.abbreviate(e.getVariant()) + "' at flag version " + e.getFlagVersion()
                    + " that is not an arm of experiment " + e.getExperimentKey() + " launched at version " + spec.launchedAtVersion());
            return;
        }
        if (spec == null) {
            metrics.unknownExperiment.incrementAndGet();
        }
        Loaded user = load(record.key(), environment);
        UserFold.Result result = fold.expose(user.facts(), new UserFold.Exposure(e.getExperimentKey(), e.getFlagKey(), e.getVariant(),
                e.getExposedAt().toEpochMilli()), spec, record.timestamp());
        metrics.exposures.incrementAndGet();
        finish(record.key(), environment, user, result);
    }

    private void tracked(Record<String, byte[]> record, TrackingEvent t) {
        String environment = t.getEnvironment();
        if (!validNames(environment, t.getEventKey(), null) || !isText(t.getEventId())
                || !isText(t.getTargetingKey()) || t.getValue() != null && !Units.accepts(t.getValue())
                || !record.key().equals(RecordKeys.ofUser(environment, t.getTargetingKey()))) {
            refuse(record, "a tracking event whose names or value are not valid or whose key is not its user");
            return;
        }
        Loaded user = load(record.key(), environment);
        UserFacts.Tracked event = new UserFacts.Tracked(t.getOccurredAt().toEpochMilli(), t.getEventId(), t.getEventKey(),
                t.getValue() == null ? 0 : Units.of(t.getValue()), record.timestamp());
        UserFold.Result result = fold.track(user.facts(), event, specs(environment));
        metrics.tracked.incrementAndGet();
        if (result.duplicate()) {
            metrics.duplicates.incrementAndGet();
        }
        finish(record.key(), environment, user, result);
    }

    /** A user's facts as stored (null: none) and as tidied against stream time. */
    private record Loaded(UserFacts stored, UserFacts facts) {
    }

    /** The user's facts, tidied against stream time (what tidying changed in the totals applied). */
    private Loaded load(String userKey, String environment) {
        UserFacts stored = users.get(userKey);
        if (stored == null) {
            return new Loaded(null, UserFacts.EMPTY);
        }
        UserFold.Result tidied = fold.tidy(stored, specs(environment), context.currentStreamTimeMs());
        apply(environment, tidied.deltas());
        return new Loaded(stored, tidied.facts());
    }

    private void finish(String userKey, String environment, Loaded user, UserFold.Result result) {
        apply(environment, result.deltas());
        metrics.late.addAndGet(result.late());
        metrics.dropped.addAndGet(result.dropped());
        save(userKey, user.stored(), result.facts());
    }

    /** Writes the facts if they changed; deletes a user left with nothing. */
    private void save(String userKey, UserFacts stored, UserFacts facts) {
        if (facts == stored) {
            return;
        }
        if (facts.isEmpty()) {
            if (stored != null) {
                users.delete(userKey);
            }
        } else {
            users.put(userKey, facts);
        }
    }

    private void apply(String environment, List<UserFold.Delta> deltas) {
        for (UserFold.Delta delta : deltas) {
            String key = ExperimentStores.totalsKey(environment, delta.experimentKey());
            ExperimentTotals current = totals.get(key);
            if (current == null) {
                current = ExperimentTotals.empty(delta.flagKey());
            }
            ExperimentSpec spec = catalog.find(environment, delta.flagKey(), delta.experimentKey());
            totals.put(key, current.apply(delta, spec));
            changed.add(key);
            if (delta.after() != null && delta.after().mixed() && (delta.before() == null || !delta.before().mixed())) {
                metrics.mixed.incrementAndGet();
            }
        }
    }

    private UserFold.Specs specs(String environment) {
        return (flagKey, experimentKey) -> catalog.find(environment, flagKey, experimentKey);
    }

    /** Copies the totals that changed into this minute's and this hour's points; minute points older than a day go. */
    private void snapshot(long streamTime) {
        for (String key : changed) {
            ExperimentTotals current = totals.get(key);
            if (current == null) {
                continue;
            }
            for (Resolution resolution : Resolution.values()) {
                long at = Math.floorDiv(streamTime, resolution.millis) * resolution.millis;
                series.put(ExperimentStores.pointKey(key, resolution, at), new Snapshot(partition, at, current));
            }
            List<String> old = new ArrayList<>();
            try (KeyValueIterator<String, Snapshot> range = series.range(ExperimentStores.pointsFrom(key, Resolution.MINUTE),
                    ExperimentStores.pointKey(key, Resolution.MINUTE, streamTime - KEEP_MINUTES_MS))) {
                range.forEachRemaining(kv -> old.add(kv.key));
            }
            old.forEach(series::delete);
        }
        changed.clear();
    }

    /** Tidies up to {@code sweepBatch} users from where the last sweep stopped. */
    private void sweep() {
        long now = context.currentStreamTimeMs();
        catalog.forgetMisses();
        List<KeyValue<String, UserFacts>> seen = new ArrayList<>();
        try (KeyValueIterator<String, UserFacts> range = users.range(sweepFrom, null)) {
            while (range.hasNext() && seen.size() < settings.sweepBatch()) {
                seen.add(range.next());
            }
            sweepFrom = range.hasNext() ? range.peekNextKey() : null;
        }
        for (KeyValue<String, UserFacts> user : seen) {
            String environment = RecordKeys.parse(user.key).environment();
            UserFold.Result tidied = fold.tidy(user.value, specs(environment), now);
            apply(environment, tidied.deltas());
            save(user.key, user.value, tidied.facts());
        }
    }

    private void refuse(Record<String, byte[]> record, String why) {
        metrics.refused.incrementAndGet();
        LOG.debug("skipping {} ({}, key {})", why, position(), Names.abbreviate(record.key()));
    }

    /**
     * Environment, experiment and flag names (or environment and event key) as the command-service
     * writes them. A handful of names recur across millions of records, so the ones that passed
     * are remembered (bounded) and the patterns run once per name, not once per record.
     */
    private boolean validNames(String environment, String keyOrEvent, String flagKey) {
        String names = environment + '\u0000' + keyOrEvent + '\u0000' + flagKey;
        if (validNames.contains(names)) {
            return true;
        }
        boolean valid = Names.isEnvironment(environment) && (flagKey == null ? Names.isEventKey(keyOrEvent)
                : Names.isExperimentKey(keyOrEvent) && Names.isFlagKey(flagKey));
        if (valid) {
            if (validNames.size() >= 10_000) {
                validNames.clear();
            }
            validNames.add(names);
        }
        return valid;
    }

    private final Set<String> validNames = new java.util.HashSet<>();

    private static boolean isText(String text) {
        return text != null && !text.isEmpty() && text.length() <= MAX_TEXT;
    }

    private String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }
}
