package io.flagplane.wire;

import io.flagplane.wire.WireFormatException.Reason;

/**
 * The Confluent wire format: one magic byte (0), the schema id as a 4-byte big-endian int,
 * then the Avro binary encoding of the value with the schema of that id.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }

    /** Reads and checks the header; returns the schema id. */
    public static int schemaId(byte[] data) {
        if (data.length < HEADER_SIZE) {
            throw new WireFormatException(Reason.TOO_SHORT, -1,
                    "record value has " + data.length + " bytes, fewer than the 5-byte Confluent wire-format header");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new WireFormatException(Reason.BAD_MAGIC_BYTE, -1,
                    "record value starts with byte " + (data[0] & 0xff) + ", not the Confluent magic byte 0");
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }

    /** Writes the header for {@code schemaId} into the first five bytes of {@code target}. */
    public static void writeHeader(int schemaId, byte[] target) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }
}
