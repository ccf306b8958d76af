package io.flagplane.reporting;

import io.flagplane.contract.TopicNames;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.reporting.exposure.ExposureSettings;
import io.flagplane.reporting.telemetry.TelemetryProducer;
import io.flagplane.reporting.tracking.TrackingLog;
import io.flagplane.reporting.tracking.TrackingSettings;
import java.time.Clock;
import java.util.Map;

/**
 * What an evaluator (an edge node or an SDK client) sends about its users beside its reports:
 * exposures to running experiments ({@link ExposureLog}, on {@code flag-exposures}) and tracking
 * events ({@link TrackingLog}, on {@code tracking-events}), through one Kafka producer shared by
 * both and made only when one of them is on. Both stamp the evaluator's report node id on what
 * they send. Closing hands what is queued to Kafka (a few seconds at most), then closes the producer.
 */
public final class EvaluatorTelemetry implements AutoCloseable {

    private final String nodeId;
    private final ExposureLog exposures;
    private final TrackingLog tracking;
    /** Null when neither is on. */
    private final TelemetryProducer producer;

    private EvaluatorTelemetry(String nodeId, ExposureLog exposures, TrackingLog tracking, TelemetryProducer producer) {
        this.nodeId = nodeId;
        this.exposures = exposures;
        this.tracking = tracking;
        this.producer = producer;
    }

    /**
     * Starts what the settings turn on, sending to {@code topics.flagExposures()} and
     * {@code topics.trackingEvents()} on the given cluster.
     *
     * @param producerOverrides extra Kafka producer properties (the reporter's: security settings, say)
     */
    public static EvaluatorTelemetry start(String nodeId, ExposureSettings exposureSettings, TrackingSettings trackingSettings,
                                           String bootstrapServers, TopicNames topics, SchemaRegistryClient registry,
                                           Map<String, Object> producerOverrides) {
        return start(nodeId, exposureSettings, trackingSettings, bootstrapServers, topics, registry, producerOverrides,
                Clock.systemUTC());
    }

    /** As the other {@code start}, exposures and tracking events stamped by {@code clock} (tests move it by hand). */
    public static EvaluatorTelemetry start(String nodeId, ExposureSettings exposureSettings, TrackingSettings trackingSettings,
                                           String bootstrapServers, TopicNames topics, SchemaRegistryClient registry,
                                           Map<String, Object> producerOverrides, Clock clock) {
        if (!exposureSettings.enabled() && !trackingSettings.enabled()) {
            return new EvaluatorTelemetry(nodeId, ExposureLog.OFF, TrackingLog.off(), null);
        }
        TelemetryProducer producer = new TelemetryProducer(bootstrapServers, registry, "flagplane-telemetry-" + nodeId,
                producerOverrides);
        return new EvaluatorTelemetry(nodeId,
                ExposureLog.start(exposureSettings, nodeId, producer, topics.flagExposures(), clock),
                TrackingLog.start(trackingSettings, nodeId, producer, topics.trackingEvents(), clock),
                producer);
    }

    /** Nothing on: exposures not logged, tracking refused. */
    public static EvaluatorTelemetry off(String nodeId) {
        return new EvaluatorTelemetry(nodeId, ExposureLog.OFF, TrackingLog.off(), null);
    }

    public String nodeId() {
        return nodeId;
    }

    public ExposureLog exposures() {
        return exposures;
    }

    public TrackingLog tracking() {
        return tracking;
    }

    @Override
    public void close() {
        exposures.close();
        tracking.close();
        if (producer != null) {
            producer.close();
        }
    }
}
