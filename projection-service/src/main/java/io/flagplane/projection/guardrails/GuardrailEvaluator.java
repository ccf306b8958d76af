package io.flagplane.projection.guardrails;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.projection.guardrails.GuardrailStores.CellId;
import io.flagplane.projection.telemetry.TelemetryStores;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the guardrails of the plans on its partition of {@code guardrail-plans} and
 * {@code guardrail-cells} (both keyed {@code environment/plan:key}, both with the same partition
 * count, so a plan's state and every measuring partition's share of its cells meet in one task).
 * It keeps each plan as the fold made it, each partition's share of its cells, and the signals it
 * published.
 *
 * <p>Every {@code interval} (wall clock), for every RUNNING plan: the shares are added up
 * ({@link Measurement}), each guardrail read ({@link GuardrailJudge}) against the projection's clock,
 * and one {@code ReleaseSignal} forwarded to {@code release-signals}, keyed by plan. <b>One publisher
 * per plan</b>: the plan's key picks one partition of {@code guardrail-plans}, and Kafka Streams runs
 * that partition's task on exactly one instance (during a rebalance a departing instance may publish
 * one last signal beside its successor's first: the same verdict for the same step, which the release
 * controller treats alike).
 */
final class GuardrailEvaluator implements Processor<String, Object, String, ReleaseSignal> {

    private static final Logger LOG = LoggerFactory.getLogger(GuardrailEvaluator.class);

    private final GuardrailsTopology.Settings settings;
    private final AvroDeserializer<FlagState> flagStates;
    private final Clock clock;
    private ProcessorContext<String, ReleaseSignal> context;
    private KeyValueStore<String, RolloutPlanState> plans;
    private KeyValueStore<String, Cell> shares;
    private KeyValueStore<String, ReleaseSignal> signals;
    private ReadOnlyKeyValueStore<String, byte[]> flags;

    GuardrailEvaluator(GuardrailsTopology.Settings settings, AvroDeserializer<FlagState> flagStates) {
        this.settings = settings;
        this.flagStates = flagStates;
        this.clock = settings.clock();
    }

    @Override
    public void init(ProcessorContext<String, ReleaseSignal> context) {
        this.context = context;
        this.plans = context.getStateStore(GuardrailStores.PLANS);
        this.shares = context.getStateStore(GuardrailStores.SHARES);
        this.signals = context.getStateStore(GuardrailStores.SIGNALS);
        this.flags = context.getStateStore(TelemetryStores.FLAG_STATES);
        context.schedule(settings.interval(), PunctuationType.WALL_CLOCK_TIME, at -> evaluateAll());
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        if (record.value() instanceof RolloutPlanState plan) {
            RolloutPlanState current = plans.get(record.key());
            if (current != null && current.getVersion() >= plan.getVersion()) {
                return;   // a replayed or repeated state
            }
            plans.put(record.key(), plan);
            if (RolloutPlanFold.isFinal(plan.getStatus())) {
                deleteRange(shares, record.key());   // nothing will read them again
            }
        } else if (record.value() instanceof CellBatch batch) {
            if (batch.complete()) {
                deleteRange(shares, GuardrailStores.planFrom(record.key()) + partitionPrefix(batch.partition()), record.key());
            }
            batch.cells().forEach((suffix, cell) -> {
                String key = GuardrailStores.shareKey(record.key(), batch.partition(), suffix);
                if (cell == null || cell.isEmpty()) {
                    shares.delete(key);
                } else {
                    shares.put(key, cell);
                }
            });
        }
    }

    /** Reads every running plan's guardrails and publishes a signal for each; prunes what is past its horizon. */
    private void evaluateAll() {
        long started = System.nanoTime();
        long now = clock.millis();
        List<KeyValue<String, RolloutPlanState>> running = new ArrayList<>();
        try (KeyValueIterator<String, RolloutPlanState> all = plans.all()) {
            all.forEachRemaining(kv -> {
                if (kv.value.getStatus() == PlanStatus.RUNNING && kv.value.getCurrentStep() >= 0) {
                    running.add(kv);
                }
            });
        }
        for (KeyValue<String, RolloutPlanState> plan : running) {
            try {
                ReleaseSignal signal = evaluate(plan.key, plan.value, now);
                // evaluatedAt is this service's clock; the record's timestamp is the wall clock, which the
                // broker checks against its own (a clock moved by hand, or skewed, must not stop the thread)
                context.forward(new Record<>(plan.key, signal, context.currentSystemTimeMs()));
                signals.put(GuardrailStores.signalKey(plan.key, now), signal);
                settings.metrics().signals.incrementAndGet();
            } catch (RuntimeException e) {
                LOG.error("guardrails of plan {} could not be evaluated; trying again next interval", plan.key, e);
            }
            prune(plan.key, now);
        }
        settings.metrics().evaluated(System.nanoTime() - started);
    }

    ReleaseSignal evaluate(String planKey, RolloutPlanState plan, long now) {
        Measurement measurement = measure(planKey, now);
        PlanContext ctx = PlanContext.of(plan, firstFlag(plan), now);
        List<GuardrailReading> readings = new ArrayList<>();
        for (Guardrail guardrail : plan.getDefinition().getGuardrails()) {
            GuardrailReading reading = GuardrailJudge.read(guardrail, ctx, measurement, settings.prometheus());
            settings.metrics().reading(reading.getKind(), reading.getVerdict());
            readings.add(reading);
        }
        Map<String, Long> exposed = new TreeMap<>();
        for (String variant : measurement.variants()) {
            long users = measurement.exposedSince(variant, ctx.stepStartMs());
            if (users > 0) {
                exposed.put(variant, users);
            }
        }
        return ReleaseSignal.newBuilder()
                .setSignalId(UUID.randomUUID().toString())
                .setEnvironment(plan.getEnvironment())
                .setPlanKey(plan.getKey())
                .setStep(plan.getCurrentStep())
                .setStepStartedAt(Instant.ofEpochMilli(ctx.stepStartMs()))
                .setEvaluatedAt(Instant.ofEpochMilli(now))
                .setExposedUsers(exposed)
                .setReadings(readings)
                .build();
    }

    private Measurement measure(String planKey, long now) {
        return measure(shares, planKey, settings.horizons(), now);
    }

    /** Every partition's share of the plan's cells within their horizons, added up. */
    static Measurement measure(ReadOnlyKeyValueStore<String, Cell> shares, String planKey, Horizons horizons, long now) {
        Measurement.Builder builder = Measurement.builder();
        try (KeyValueIterator<String, Cell> range = shares.range(GuardrailStores.planFrom(planKey), GuardrailStores.planTo(planKey))) {
            while (range.hasNext()) {
                KeyValue<String, Cell> share = range.next();
                CellId id = CellId.parse(GuardrailStores.afterPlan(GuardrailStores.afterPlan(share.key)));
                if (horizons.live(id.resolution(), id.bucketMs(), now)) {
                    builder.add(id, share.value);
                }
            }
        }
        return builder.build(horizons, now);
    }

    /** The plan's first flag as the global copy of {@code flag-state} holds it; null when it holds none. */
    private FlagState firstFlag(RolloutPlanState plan) {
        List<String> keys = plan.getDefinition().getFlagKeys();
        if (keys.isEmpty()) {
            return null;
        }
        byte[] bytes = flags.get(RecordKeys.of(plan.getEnvironment(), keys.get(0)));
        if (bytes == null) {
            return null;
        }
        try {
            return flagStates.deserialize(null, bytes);
        } catch (WireFormatException e) {
            return null;   // every reader of flag-state skips what it cannot decode
        }
    }

    /** Drops the plan's shares past their horizon and its signals older than the history kept. */
    private void prune(String planKey, long now) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Cell> range = shares.range(GuardrailStores.planFrom(planKey), GuardrailStores.planTo(planKey))) {
            range.forEachRemaining(kv -> {
                CellId id = CellId.parse(GuardrailStores.afterPlan(GuardrailStores.afterPlan(kv.key)));
                if (!settings.horizons().live(id.resolution(), id.bucketMs(), now)) {
                    old.add(kv.key);
                }
            });
        }
        old.forEach(shares::delete);
        long keepFrom = now - settings.signalHistory().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, ReleaseSignal> range = signals.range(GuardrailStores.planFrom(planKey),
                GuardrailStores.signalKey(planKey, keepFrom))) {
            range.forEachRemaining(kv -> expired.add(kv.key));
        }
        expired.stream().filter(k -> !k.equals(GuardrailStores.signalKey(planKey, keepFrom))).forEach(signals::delete);
    }

    private static String partitionPrefix(int partition) {
        return String.format("%08x", partition) + GuardrailStores.SEPARATOR;
    }

    private static void deleteRange(KeyValueStore<String, ?> store, String planKey) {
        deleteRange(store, GuardrailStores.planFrom(planKey), planKey);
    }

    /** Deletes the plan's entries whose key starts with {@code prefix} (which starts with the plan's own prefix). */
    private static void deleteRange(KeyValueStore<String, ?> store, String prefix, String planKey) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, ?> range = store.range(prefix, GuardrailStores.planTo(planKey))) {
            while (range.hasNext()) {
                String key = range.next().key;
                if (!key.startsWith(prefix)) {
                    break;
                }
                keys.add(key);
            }
        }
        keys.forEach(store::delete);
    }
}
