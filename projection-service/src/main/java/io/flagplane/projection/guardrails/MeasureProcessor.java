package io.flagplane.projection.guardrails;

import io.flagplane.avro.Exposure;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.guardrails.GuardrailStores.CellId;
import io.flagplane.projection.guardrails.GuardrailStores.Resolution;
import io.flagplane.projection.query.Names;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * Measures a partition of {@code flag-exposures} and {@code tracking-events} (co-partitioned, keyed
 * by user) for the rollout plans' guardrails: each plan exposure (one with {@code planKey}) and each
 * tracked event of a user exposed to some plan goes through the per-user fold ({@link PlanUserFold}),
 * and the fold's changes are applied to this partition's cells of the plan, in fine and hourly
 * buckets, in the same task (a user's facts and what they add to the cells are committed together).
 *
 * <p>Every {@code flushEvery} (wall clock) the cells that changed are sent, keyed by plan, to the
 * plan's evaluator ({@link CellBatch}); the first flush after the task starts sends every cell, so an
 * evaluator that missed a batch (a crash between a change and its flush) is made whole. A sweep drops
 * cells past their horizon and users not seen on any plan within the hourly horizon.
 *
 * <p>While plans run (a plan exposure folded here within the hour), a tracked event of a user without
 * a plan is held for the grace period ({@code settings.grace()}): exposures and tracked events come on
 * two topics from different clients, and a user's first request may arrive before the exposure that
 * put them in the plan. Otherwise a tracked event is decoded only for a user the store holds (one read
 * by record key), so users no plan exposed cost one lookup. Undecodable and refused records are counted and skipped; a
 * registry that cannot be reached fails the task so it retries.
 */
final class MeasureProcessor implements Processor<String, byte[], String, CellBatch> {

    private static final Logger LOG = LoggerFactory.getLogger(MeasureProcessor.class);
    private static final int MAX_TEXT = 256;
    /** Event keys one cell counts; a service tracking more than this many keys loses the rest (counted). */
    static final int MAX_KEYS_PER_CELL = 64;
    /** How long after the last plan exposure this task saw it still holds events of users without a plan. */
    private static final long HOLDING_AFTER_MS = 3_600_000L;

    private final String exposuresTopic;
    private final AvroDeserializer<Exposure> exposures;
    private final AvroDeserializer<TrackingEvent> tracking;
    private final GuardrailsTopology.Settings settings;
    private final GuardrailMetrics metrics;
    private final Clock clock;
    private final PlanUserFold fold = new PlanUserFold();
    private ProcessorContext<String, CellBatch> context;
    private KeyValueStore<String, PlanUserFacts> users;
    private KeyValueStore<String, Cell> cells;
    private int partition;
    /** Plan → the suffixes of its cells changed since the last flush. */
    private final Map<String, Set<String>> changed = new LinkedHashMap<>();
    private boolean flushedSinceStart;
    /** When this task last folded a plan exposure (0: not since it started): while plans run, early events are held. */
    private long lastPlanExposureMs;
    private String sweepFrom;

    MeasureProcessor(String exposuresTopic, AvroDeserializer<Exposure> exposures, AvroDeserializer<TrackingEvent> tracking,
                     GuardrailsTopology.Settings settings) {
        this.exposuresTopic = exposuresTopic;
        this.exposures = exposures;
        this.tracking = tracking;
        this.settings = settings;
        this.metrics = settings.metrics();
        this.clock = settings.clock();
    }

    @Override
    public void init(ProcessorContext<String, CellBatch> context) {
        this.context = context;
        this.users = context.getStateStore(GuardrailStores.USERS);
        this.cells = context.getStateStore(GuardrailStores.CELLS);
        this.partition = context.taskId().partition();
        context.schedule(settings.flushEvery(), PunctuationType.WALL_CLOCK_TIME, at -> flush());
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
                PlanUserFacts facts = users.get(record.key());
                boolean holding = lastPlanExposureMs > 0 && clock.millis() - lastPlanExposureMs < HOLDING_AFTER_MS;
                if (facts != null || holding) {   // no plan runs, or a user no plan exposed: not even decoded
                    tracked(record, facts == null ? PlanUserFacts.EMPTY : facts, facts, tracking.deserialize(topic, record.value()));
                }
            }
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            // the experiment analysis logs undecodable records; counted here too, not logged twice
            metrics.undecodable.incrementAndGet();
        }
    }

    private void exposure(Record<String, byte[]> record, Exposure e) {
        if (e.getPlanKey() == null) {
            return;   // an experiment's exposure
        }
        String environment = e.getEnvironment();
        if (!Names.isEnvironment(environment) || !Names.isPlanKey(e.getPlanKey()) || !isText(e.getVariant())
                || !isText(e.getTargetingKey()) || !record.key().equals(RecordKeys.ofUser(environment, e.getTargetingKey()))) {
            refuse(record, "a plan exposure whose names are not valid or whose key is not its user");
            return;
        }
        PlanUserFacts stored = users.get(record.key());
        PlanUserFacts facts = stored == null ? PlanUserFacts.EMPTY : stored;
        PlanUserFold.Result result = fold.expose(facts, RecordKeys.ofPlanEvents(environment, e.getPlanKey()), e.getVariant(),
                e.getExposedAt().toEpochMilli());
        metrics.exposures.incrementAndGet();
        lastPlanExposureMs = clock.millis();
        finish(record.key(), stored, result);
    }

    /** @param stored the user's facts as stored (null: none); {@code facts} is them or empty */
    private void tracked(Record<String, byte[]> record, PlanUserFacts facts, PlanUserFacts stored, TrackingEvent t) {
        if (!Names.isEventKey(t.getEventKey()) || !isText(t.getTargetingKey())
                || !record.key().equals(RecordKeys.ofUser(t.getEnvironment(), t.getTargetingKey()))) {
            refuse(record, "a tracking event whose names are not valid or whose key is not its user");
            return;
        }
        long at = t.getOccurredAt().toEpochMilli();
        PlanUserFold.Result result;
        if (facts.plans().isEmpty()) {
            long now = clock.millis();
            PlanUserFacts fresh = fold.forgetBefore(facts, 0, now - settings.grace().toMillis());
            metrics.unattributed.addAndGet(facts.pending().size() - fresh.pending().size());
            result = fold.hold(fresh, t.getEventKey(), at, now);
        } else {
            result = fold.track(facts, t.getEventKey(), at);
        }
        metrics.tracked.incrementAndGet();
        finish(record.key(), stored, result);
    }

    /** @param before the user's facts as stored (null: none) */
    private void finish(String userKey, PlanUserFacts before, PlanUserFold.Result result) {
        metrics.dropped.addAndGet(result.dropped());
        metrics.unattributed.addAndGet(result.unattributed());
        long now = clock.millis();
        for (PlanUserFold.Delta delta : result.deltas()) {
            apply(delta, now);
        }
        if (result.facts() != before) {
            if (result.facts().isEmpty()) {
                if (before != null) {
                    users.delete(userKey);
                }
            } else {
                users.put(userKey, result.facts());
            }
        }
    }

    /** The change, in the fine and the hourly bucket of its instant, each only while that bucket is kept. */
    private void apply(PlanUserFold.Delta delta, long now) {
        for (Resolution resolution : Resolution.values()) {
            long bucket = resolution.bucketOf(delta.atMs());
            if (!settings.horizons().live(resolution, bucket, now)) {
                continue;
            }
            String suffix = GuardrailStores.cellSuffix(resolution, bucket, delta.variant());
            String key = GuardrailStores.cellKey(delta.planKey(), suffix);
            Cell current = cells.get(key);
            Cell next = (current == null ? Cell.EMPTY : current).with(delta.field(), delta.eventKey(), delta.by(), MAX_KEYS_PER_CELL);
            if (next == null) {
                metrics.dropped.incrementAndGet();
                continue;
            }
            if (next.isEmpty()) {
                cells.delete(key);
            } else {
                cells.put(key, next);
            }
            changed.computeIfAbsent(delta.planKey(), p -> new LinkedHashSet<>()).add(suffix);
        }
    }

    /** Sends each plan's changed cells (every cell, the first time after the task starts) to its evaluator. */
    private void flush() {
        long at = context.currentSystemTimeMs();
        if (!flushedSinceStart) {
            flushedSinceStart = true;
            Map<String, Map<String, Cell>> all = new LinkedHashMap<>();
            try (KeyValueIterator<String, Cell> it = cells.all()) {
                it.forEachRemaining(kv -> all.computeIfAbsent(GuardrailStores.planOf(kv.key), p -> new HashMap<>())
                        .put(GuardrailStores.afterPlan(kv.key), kv.value));
            }
            changed.keySet().forEach(plan -> all.computeIfAbsent(plan, p -> new HashMap<>()));
            changed.forEach((plan, suffixes) -> suffixes.forEach(s -> all.get(plan).putIfAbsent(s, null)));
            all.forEach((plan, batch) -> context.forward(new Record<>(plan, new CellBatch(partition, true, batch), at)));
            changed.clear();
            return;
        }
        for (Map.Entry<String, Set<String>> plan : changed.entrySet()) {
            Map<String, Cell> batch = new HashMap<>();
            for (String suffix : plan.getValue()) {
                batch.put(suffix, cells.get(GuardrailStores.cellKey(plan.getKey(), suffix)));
            }
            context.forward(new Record<>(plan.getKey(), new CellBatch(partition, false, batch), at));
        }
        changed.clear();
    }

    /** Drops the cells past their horizon, and up to a batch of users not seen on any plan within the hourly horizon. */
    private void sweep() {
        long now = clock.millis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, Cell> it = cells.all()) {
            while (it.hasNext()) {
                String key = it.next().key;
                CellId id = CellId.parse(GuardrailStores.afterPlan(key));
                if (!settings.horizons().live(id.resolution(), id.bucketMs(), now)) {
                    expired.add(key);
                }
            }
        }
        expired.forEach(cells::delete);   // the evaluator drops its copies by the same rule
        long horizon = now - settings.horizons().coarse().toMillis();
        long graceFrom = now - settings.grace().toMillis();
        List<KeyValue<String, PlanUserFacts>> seen = new ArrayList<>();
        try (KeyValueIterator<String, PlanUserFacts> range = users.range(sweepFrom, null)) {
            while (range.hasNext() && seen.size() < settings.sweepBatch()) {
                seen.add(range.next());
            }
            sweepFrom = range.hasNext() ? range.peekNextKey() : null;
        }
        for (KeyValue<String, PlanUserFacts> user : seen) {
            PlanUserFacts kept = fold.forgetBefore(user.value, horizon, graceFrom);
            metrics.unattributed.addAndGet(user.value.pending().size() - kept.pending().size());
            if (kept.isEmpty()) {
                users.delete(user.key);
            } else if (kept != user.value) {
                users.put(user.key, kept);
            }
        }
    }

    private void refuse(Record<String, byte[]> record, String why) {
        metrics.refused.incrementAndGet();
        LOG.debug("skipping {} ({}, key {})", why, context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@"
                + m.offset()).orElse("?"), Names.abbreviate(record.key()));
    }

    private static boolean isText(String text) {
        return text != null && !text.isEmpty() && text.length() <= MAX_TEXT;
    }
}
