package io.flagplane.projection.query;

import io.flagplane.avro.SegmentState;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import io.flagplane.wire.WireFormatException;

/**
 * A {@link SegmentState} as one projection instance hands it to another: the contract's Avro in
 * the Confluent wire format, under {@code segment-state}'s subject — the bytes the projection
 * writes to that topic. The schema id travels with the record, so during a rolling upgrade an
 * instance reads a neighbour's older or newer {@code SegmentState} by Avro schema resolution,
 * exactly as it reads the topic; plain Avro binary would need both sides on one schema.
 */
public final class SegmentStateWire {

    public static final String CONTENT_TYPE = "application/vnd.flagplane.segment-state+avro";

    private final String topic;
    private final AvroSerializer<SegmentState> serializer;
    private final AvroDeserializer<SegmentState> deserializer;

    /** @param segmentStateTopic the {@code segment-state} topic, whose subject holds the schema */
    public SegmentStateWire(SchemaRegistryClient registry, String segmentStateTopic) {
        this.topic = segmentStateTopic;
        this.serializer = new AvroSerializer<>(registry, true);
        this.deserializer = new AvroDeserializer<>(registry, SegmentState.class);
    }

    public byte[] encode(SegmentState state) {
        try {
            return serializer.serialize(topic, state);
        } catch (WireFormatException e) {
            throw QueryException.unavailable("the segment cannot be encoded right now (" + e.reason() + "); retry in a moment");
        }
    }

    /** The state another instance sent; a body that is not one is that instance's fault, and a retry's. */
    public SegmentState decode(byte[] body, String from) {
        try {
            return deserializer.deserialize(topic, body);
        } catch (WireFormatException e) {
            throw QueryException.unavailable("instance " + from + " sent a segment that cannot be read (" + e.reason()
                    + "); retry in a moment");
        }
    }
}
