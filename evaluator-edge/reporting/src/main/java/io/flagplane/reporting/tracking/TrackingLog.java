package io.flagplane.reporting.tracking;

import java.time.Clock;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.reporting.telemetry.TelemetryChannel;
import io.flagplane.reporting.telemetry.TelemetryProducer;
import io.flagplane.reporting.telemetry.TelemetrySink;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Takes accepted tracking events to {@code tracking-events} ({@code TrackingEvent}, keyed
 * {@link RecordKeys#ofUser}, {@code source} this evaluator's node id) through a bounded buffer and
 * a background thread, like the exposures. {@link #submit} never blocks: a batch that does not
 * fit in the buffer is refused whole and counted as dropped, so the caller can say "nothing
 * taken, retry" (the edge answers 503) or count it (the SDK). {@link #off()} takes nothing.
 */
public final class TrackingLog implements AutoCloseable {

    /**
     * Events taken into the buffer, refused because it was full, refused as invalid (counted by
     * the caller that checked them), acknowledged by Kafka, and lost on the way to it.
     */
    public record Stats(long accepted, long dropped, long invalid, long sent, long sendErrors) {
        public static final Stats ZERO = new Stats(0, 0, 0, 0, 0);
    }

    /** Takes nothing (an evaluator with tracking off); it still counts the invalid events its owner refused. */
    public static TrackingLog off() {
        return new TrackingLog();
    }

    private final TrackingSettings settings;
    private final TrackingRules rules;
    private final TelemetryChannel<TrackedEvent> channel;
    private final LongAdder invalid = new LongAdder();

    private TrackingLog() {
        this.settings = TrackingSettings.disabled();
        this.rules = TrackingRules.of(settings);
        this.channel = null;
    }

    TrackingLog(TrackingSettings settings, TrackingRules rules, String nodeId, TelemetrySink<TrackingEvent> sink) {
        this.settings = settings;
        this.rules = rules;
        this.channel = new TelemetryChannel<>("tracking events", settings.bufferCapacity(),
                (event, outcome) -> sink.send(event.toAvro(nodeId), outcome), () -> { });
    }

    /** A tracking log sending to {@code topic} through {@code producer}, started; {@link #off()} when disabled. */
    public static TrackingLog start(TrackingSettings settings, String nodeId, TelemetryProducer producer, String topic) {
        return start(settings, nodeId, producer, topic, Clock.systemUTC());
    }

    /** As {@link #start(TrackingSettings, String, TelemetryProducer, String)}, events without a timestamp stamped by {@code clock}. */
    public static TrackingLog start(TrackingSettings settings, String nodeId, TelemetryProducer producer, String topic, Clock clock) {
        return start(settings, nodeId, (event, outcome) -> producer.send(topic,
                RecordKeys.ofUser(event.getEnvironment(), event.getTargetingKey()), event, outcome), clock);
    }

    /** A tracking log handing its records to {@code sink} (on its background thread), started; {@link #off()} when disabled. */
    public static TrackingLog start(TrackingSettings settings, String nodeId, TelemetrySink<TrackingEvent> sink) {
        return start(settings, nodeId, sink, Clock.systemUTC());
    }

    private static TrackingLog start(TrackingSettings settings, String nodeId, TelemetrySink<TrackingEvent> sink, Clock clock) {
        if (!settings.enabled()) {
            return off();
        }
        TrackingLog log = new TrackingLog(settings, TrackingRules.of(settings, clock), nodeId, sink);
        log.channel.start();
        return log;
    }

    public boolean enabled() {
        return channel != null;
    }

    public TrackingSettings settings() {
        return settings;
    }

    /** How events are checked before they are submitted. */
    public TrackingRules rules() {
        return rules;
    }

    /** Queues every event, or none when they do not all fit (or tracking is off). Never blocks. */
    public boolean submit(List<TrackedEvent> events) {
        return channel != null && channel.offerAll(events);
    }

    public boolean submit(TrackedEvent event) {
        return channel != null && channel.offer(event);
    }

    /** Counts events a caller refused as invalid, for the stats. */
    public void countInvalid(int events) {
        invalid.add(events);
    }

    public Stats stats() {
        if (channel == null) {
            return new Stats(0, 0, invalid.sum(), 0, 0);
        }
        TelemetryChannel.Stats queue = channel.stats();
        return new Stats(queue.accepted(), queue.dropped(), invalid.sum(), queue.sent(), queue.failed());
    }

    /** Hands everything queued to the sink on the calling thread: for tests. */
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
