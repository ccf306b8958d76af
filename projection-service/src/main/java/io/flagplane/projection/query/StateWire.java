package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import io.flagplane.wire.WireFormatException;

/**
 * A {@link FlagState} or {@link SegmentState} as one projection instance hands it to another (a
 * time-travel evaluation needs the segments and prerequisite flags it reaches as they were, from
 * whichever instance holds them): the contract's Avro in the Confluent wire format, under
 * {@code flag-state}'s or {@code segment-state}'s subject — the bytes the projection writes to
 * those topics. The schema id travels with the record, so during a rolling upgrade an instance
 * reads a neighbour's older or newer state by Avro schema resolution, exactly as it reads the
 * topic; plain Avro binary would need both sides on one schema.
 */
public final class StateWire {

    public static final String SEGMENT_CONTENT_TYPE = "application/vnd.flagplane.segment-state+avro";
    public static final String FLAG_CONTENT_TYPE = "application/vnd.flagplane.flag-state+avro";

    private final String flagTopic;
    private final String segmentTopic;
    private final AvroSerializer<FlagState> flagSerializer;
    private final AvroDeserializer<FlagState> flagDeserializer;
    private final AvroSerializer<SegmentState> segmentSerializer;
    private final AvroDeserializer<SegmentState> segmentDeserializer;

    /** @param flagStateTopic and {@code segmentStateTopic}: the topics whose subjects hold the schemas */
    public StateWire(SchemaRegistryClient registry, String flagStateTopic, String segmentStateTopic) {
        this.flagTopic = flagStateTopic;
        this.segmentTopic = segmentStateTopic;
        this.flagSerializer = new AvroSerializer<>(registry, true);
        this.flagDeserializer = new AvroDeserializer<>(registry, FlagState.class);
        this.segmentSerializer = new AvroSerializer<>(registry, true);
        this.segmentDeserializer = new AvroDeserializer<>(registry, SegmentState.class);
    }

    public byte[] encodeSegment(SegmentState state) {
        try {
            return segmentSerializer.serialize(segmentTopic, state);
        } catch (WireFormatException e) {
            throw QueryException.unavailable("the segment cannot be encoded right now (" + e.reason() + "); retry in a moment");
        }
    }

    /** The state another instance sent; a body that is not one is that instance's fault, and a retry's. */
    public SegmentState decodeSegment(byte[] body, String from) {
        try {
            return segmentDeserializer.deserialize(segmentTopic, body);
        } catch (WireFormatException e) {
            throw QueryException.unavailable("instance " + from + " sent a segment that cannot be read (" + e.reason()
                    + "); retry in a moment");
        }
    }

    public byte[] encodeFlag(FlagState state) {
        try {
            return flagSerializer.serialize(flagTopic, state);
        } catch (WireFormatException e) {
            throw QueryException.unavailable("the flag cannot be encoded right now (" + e.reason() + "); retry in a moment");
        }
    }

    /** The state another instance sent; a body that is not one is that instance's fault, and a retry's. */
    public FlagState decodeFlag(byte[] body, String from) {
        try {
            return flagDeserializer.deserialize(flagTopic, body);
        } catch (WireFormatException e) {
            throw QueryException.unavailable("instance " + from + " sent a flag that cannot be read (" + e.reason()
                    + "); retry in a moment");
        }
    }
}
