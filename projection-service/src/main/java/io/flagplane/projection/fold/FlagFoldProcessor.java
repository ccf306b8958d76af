package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each event into its flag's state with {@link FlagStateFold} and forwards the new state.
 * Decoding happens here rather than in a serde so that an undecodable record is counted and
 * skipped without stopping the application. A record whose schema the registry cannot serve
 * right now fails the task instead, so it is retried rather than lost.
 */
final class FlagFoldProcessor implements Processor<String, byte[], String, FlagState> {

    private static final Logger LOG = LoggerFactory.getLogger(FlagFoldProcessor.class);

    private final AvroDeserializer<FlagEvent> events;
    private final ProjectionMetrics metrics;
    private final String storeName;
    private ProcessorContext<String, FlagState> context;
    private KeyValueStore<String, FlagState> store;

    FlagFoldProcessor(AvroDeserializer<FlagEvent> events, ProjectionMetrics metrics, String storeName) {
        this.events = events;
        this.metrics = metrics;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, FlagState> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        FlagEvent event;
        try {
            event = events.deserialize(context.recordMetadata().map(m -> m.topic()).orElse("flag-events"), record.value());
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            metrics.undecodable.incrementAndGet();
            LOG.warn("skipping undecodable event (key {}, {}): {}", record.key(), position(), e.getMessage());
            return;
        }
        String key = RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        if (!key.equals(record.key())) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} does not match its flag {} ({})", event.getEventId(), record.key(),
                    key, position());
            return;
        }
        FlagStateFold.Result result = FlagStateFold.apply(store.get(key), event);
        switch (result.outcome()) {
            case APPLIED -> {
                if (result.detail() != null) {
                    LOG.warn("flag {}: {}", key, result.detail());
                }
                store.put(key, result.state());
                metrics.applied.incrementAndGet();
                context.forward(record.withValue(result.state()).withTimestamp(event.getOccurredAt().toEpochMilli()));
            }
            case STALE -> metrics.stale.incrementAndGet();
            case REJECTED -> {
                metrics.rejected.incrementAndGet();
                LOG.warn("event {} cannot apply ({}): {}", event.getEventId(), position(), result.detail());
            }
        }
    }

    private String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }
}
