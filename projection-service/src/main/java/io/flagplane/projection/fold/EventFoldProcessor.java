package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.SegmentStateFold;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each event into its flag's state with {@link FlagStateFold} (or its segment's with
 * {@link SegmentStateFold}) and forwards the new state, keyed {@code environment/key}.
 * Decoding happens here rather than in a serde so that an undecodable record is counted and
 * skipped without stopping the application. A record whose schema the registry cannot serve
 * right now fails the task instead, so it is retried rather than lost.
 */
final class EventFoldProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(EventFoldProcessor.class);

    private final AvroDeserializer<FlagEvent> events;
    private final ProjectionMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, FlagState> flags;
    private KeyValueStore<String, SegmentState> segments;

    EventFoldProcessor(AvroDeserializer<FlagEvent> events, ProjectionMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.flags = context.getStateStore(FlagProjectionTopology.FLAG_STORE);
        this.segments = context.getStateStore(FlagProjectionTopology.SEGMENT_STORE);
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
        boolean segment = SegmentStateFold.isSegmentEvent(event);
        String expected = segment ? RecordKeys.ofSegmentEvents(event.getEnvironment(), event.getFlagKey())
                : RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        if (!expected.equals(record.key())) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} does not match its {} {} ({})", event.getEventId(), record.key(),
                    segment ? "segment" : "flag", expected, position());
            return;
        }
        String key = RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        FlagStateFold.Outcome outcome;
        String detail;
        if (segment) {
            SegmentStateFold.Result result = SegmentStateFold.apply(segments.get(key), event);
            outcome = result.outcome();
            detail = result.detail();
            if (outcome == FlagStateFold.Outcome.APPLIED) {
                segments.put(key, result.state());
                forward(record, key, result.state(), event);
            }
        } else {
            FlagStateFold.Result result = FlagStateFold.apply(flags.get(key), event);
            outcome = result.outcome();
            detail = result.detail();
            if (outcome == FlagStateFold.Outcome.APPLIED) {
                flags.put(key, result.state());
                forward(record, key, result.state(), event);
            }
        }
        switch (outcome) {
            case APPLIED -> {
                metrics.applied.incrementAndGet();
                if (detail != null) {
                    LOG.warn("{}: {}", key, detail);
                }
            }
            case STALE -> metrics.stale.incrementAndGet();
            case REJECTED -> {
                metrics.rejected.incrementAndGet();
                LOG.warn("event {} cannot apply ({}): {}", event.getEventId(), position(), detail);
            }
        }
    }

    private void forward(Record<String, byte[]> record, String key, SpecificRecord state, FlagEvent event) {
        context.forward(new Record<String, SpecificRecord>(key, state, event.getOccurredAt().toEpochMilli(), record.headers()));
    }

    private String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }
}
