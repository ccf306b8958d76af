package io.flagplane.reporting.exposure;

import io.flagplane.avro.Exposure;
import io.flagplane.contract.RecordKeys;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.reporting.telemetry.TelemetryChannel;
import io.flagplane.reporting.telemetry.TelemetryProducer;
import io.flagplane.reporting.telemetry.TelemetrySink;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logs exposures: when an evaluation's result came from the split of its flag's RUNNING
 * experiment ({@link Evaluation#experiment()}), an {@code Exposure} (environment, experiment, flag,
 * version, variant, targeting key, instant, this evaluator's node id) goes to
 * {@code flag-exposures}, keyed {@link RecordKeys#ofUser}, at most once per (environment,
 * experiment, user) within the de-duplication window ({@link ExposureDedup}), so the topic carries
 * users, not requests.
 *
 * <p>Plan exposures: every result that serves a variant of a flag under a running rollout plan
 * ({@link Evaluation#plan()}, whatever path served it) is logged too, with {@code planKey} set and
 * an empty {@code experimentKey}, at most once per (environment, plan, user, variant) within the
 * same window, so a user a step moves to another variant is exposed again. A result of a flag
 * with both an experiment and a plan is logged once for each.
 *
 * <p>Never in the way of evaluation. {@link #log} returns at once for a result that is no exposure
 * (one field read); for an exposure already logged it is a lock-free table probe on a coarse clock
 * (a volatile read, refreshed every few milliseconds by the background thread, since reading the
 * system clock per evaluation costs more than the evaluation); only a new exposure allocates, and
 * it is queued in a bounded buffer ({@link TelemetryChannel}) that a background thread hands to
 * Kafka. A full buffer drops the exposure and counts it, and forgets that it was logged, so the
 * user's next evaluation tries again. An evaluation without a targeting key cannot be attributed
 * to a user: it is counted, not logged.
 *
 * <p>{@link #OFF} logs nothing, so an evaluator with exposures off keeps the same call.
 */
public final class ExposureLog implements AutoCloseable {

    /**
     * Exposures queued for Kafka, not logged again within the window, dropped because the buffer
     * was full, not attributable (no targeting key), acknowledged by Kafka, lost on the way to it,
     * and de-duplication entries forgotten early to make room (each may cost a repeated exposure).
     */
    public record Stats(long logged, long deduplicated, long dropped, long withoutTargetingKey, long sent, long sendErrors,
                        long dedupEvictions) {
        public static final Stats ZERO = new Stats(0, 0, 0, 0, 0, 0, 0);
    }

    /** One exposure on its way to Kafka: to an experiment ({@code plan} null) or to a plan ({@code experiment} empty). */
    record Exposed(String environment, String experiment, String plan, String flagKey, long flagVersion, String variant,
                   String targetingKey, long exposedAt) {

        Exposure toAvro(String nodeId) {
            return Exposure.newBuilder().setEnvironment(environment).setExperimentKey(experiment).setFlagKey(flagKey)
                    .setFlagVersion(flagVersion).setVariant(variant).setTargetingKey(targetingKey)
                    .setExposedAt(Instant.ofEpochMilli(exposedAt)).setNodeId(nodeId).setPlanKey(plan).build();
        }
    }

    /** Logs nothing and counts nothing. */
    public static final ExposureLog OFF = new ExposureLog();

    private final boolean enabled;
    private final ExposureDedup dedup;
    private final TelemetryChannel<Exposed> channel;
    private final Clock clock;
    private final boolean coarse;
    private final LongAdder deduplicated = new LongAdder();
    private final LongAdder withoutTargetingKey = new LongAdder();
    /** The clock as of the background thread's last pass, when {@link #coarse}. */
    private volatile long coarseNow;

    private ExposureLog() {
        this.enabled = false;
        this.dedup = null;
        this.channel = null;
        this.clock = Clock.systemUTC();
        this.coarse = false;
    }

    /**
     * @param coarse de-duplicate on a clock the background thread refreshes (production), or read
     *               {@code clock} on every exposure (tests that move the clock by hand)
     */
    ExposureLog(ExposureSettings settings, String nodeId, TelemetrySink<Exposure> sink, Clock clock, boolean coarse) {
        this.enabled = settings.enabled();
        this.dedup = new ExposureDedup(settings.dedupWindow().toMillis(), settings.dedupCapacity());
        this.clock = clock;
        this.coarse = coarse;
        this.coarseNow = clock.millis();
        this.channel = new TelemetryChannel<>("exposures", settings.bufferCapacity(),
                (exposed, outcome) -> sink.send(exposed.toAvro(nodeId), outcome), () -> coarseNow = clock.millis());
    }

    /**
     * An exposure log sending to {@code topic} through {@code producer} under this evaluator's
     * node id, started; {@link #OFF} when the settings say so.
     */
    public static ExposureLog start(ExposureSettings settings, String nodeId, TelemetryProducer producer, String topic) {
        return start(settings, nodeId, producer, topic, Clock.systemUTC());
    }

    /** As {@link #start(ExposureSettings, String, TelemetryProducer, String)}, exposures stamped (and de-duplicated) by {@code clock}. */
    public static ExposureLog start(ExposureSettings settings, String nodeId, TelemetryProducer producer, String topic, Clock clock) {
        return start(settings, nodeId, (exposure, outcome) -> producer.send(topic,
                RecordKeys.ofUser(exposure.getEnvironment(), exposure.getTargetingKey()), exposure, outcome), clock);
    }

    /** An exposure log handing its records to {@code sink} (on its background thread), started; {@link #OFF} when disabled. */
    public static ExposureLog start(ExposureSettings settings, String nodeId, TelemetrySink<Exposure> sink) {
        return start(settings, nodeId, sink, Clock.systemUTC());
    }

    private static ExposureLog start(ExposureSettings settings, String nodeId, TelemetrySink<Exposure> sink, Clock clock) {
        if (!settings.enabled()) {
            return OFF;
        }
        ExposureLog log = new ExposureLog(settings, nodeId, sink, clock, true);
        log.channel.start();
        return log;
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Logs the evaluation of {@code flagKey} for {@code targetingKey} in {@code environment} if its
     * result is an experiment or plan exposure not logged within the window. Never blocks, never throws.
     */
    public void log(String environment, String flagKey, Evaluation<?> result, String targetingKey) {
        String experiment = result.experiment();
        // a plan's result without a variant (the caller's default) has nothing for guardrails to compare
        String plan = result.variant() == null ? null : result.plan();
        if ((experiment != null || plan != null) && enabled) {
            if (targetingKey == null || targetingKey.isEmpty()) {
                withoutTargetingKey.increment();
                return;
            }
            if (experiment != null) {
                logExposure(environment, experiment, null, flagKey, result, targetingKey);
            }
            if (plan != null) {
                logExposure(environment, plan, result.variant(), flagKey, result, targetingKey);
            }
        }
    }

    /** @param variant null for an experiment exposure (scope is its key); the variant served for a plan's (scope is the plan) */
    private void logExposure(String environment, String scope, String variant, String flagKey, Evaluation<?> result,
                             String targetingKey) {
        int slot = dedup.admit(environment, scope, variant, targetingKey, coarse ? coarseNow : clock.millis());
        if (slot == ExposureDedup.DUPLICATE) {
            deduplicated.increment();
            return;
        }
        Exposed exposed = variant == null
                ? new Exposed(environment, scope, null, flagKey, result.flagVersion(), result.variant(), targetingKey, clock.millis())
                : new Exposed(environment, "", scope, flagKey, result.flagVersion(), variant, targetingKey, clock.millis());
        if (!channel.offer(exposed)) {
            dedup.forget(slot, environment, scope, variant, targetingKey);
        }
    }

    public Stats stats() {
        if (!enabled) {
            return Stats.ZERO;
        }
        TelemetryChannel.Stats queue = channel.stats();
        return new Stats(queue.accepted(), deduplicated.sum(), queue.dropped(), withoutTargetingKey.sum(), queue.sent(),
                queue.failed(), dedup.evictions());
    }

    /** Hands everything queued to the sink on the calling thread: for tests and benchmarks. */
    int pumpAll() {
        return channel == null ? 0 : channel.pumpAll();
    }

    /** Hands what is queued to Kafka (waiting a few seconds at most) and stops; close the producer after. */
    @Override
    public void close() {
        if (channel != null) {
            channel.close();
        }
    }
}
