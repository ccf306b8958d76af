package io.flagplane.wire;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that cannot be encoded or decoded in the Confluent wire format. It is a Kafka
 * {@link SerializationException}, so Kafka and Streams treat it as one; {@link #reason()} tells
 * callers (who log, count and skip) what was wrong without parsing messages.
 */
public final class WireFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Fewer than the five header bytes. */
        TOO_SHORT,
        /** The first byte is not the magic byte 0. */
        BAD_MAGIC_BYTE,
        /** The registry has no schema with the header's id. */
        UNKNOWN_SCHEMA_ID,
        /** The registry could not be reached; the same bytes may decode later. */
        REGISTRY_UNAVAILABLE,
        /** The writer's schema cannot be read into the reader's schema. */
        INCOMPATIBLE_SCHEMA,
        /** The Avro body ends before the writer's schema says it should. */
        TRUNCATED,
        /** The Avro body is not valid for the writer's schema, or has bytes left over. */
        MALFORMED,
        /** The schema could not be registered or found for writing. */
        SCHEMA_NOT_REGISTERED
    }

    private final Reason reason;
    private final int schemaId;

    public WireFormatException(Reason reason, int schemaId, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.schemaId = schemaId;
    }

    public WireFormatException(Reason reason, int schemaId, String message) {
        this(reason, schemaId, message, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The schema id from the header, or -1 when the header could not be read. */
    public int schemaId() {
        return schemaId;
    }
}
