package io.flagplane.projection.replay;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AvroContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * A state as the rebuilt stores keep it: plain Avro binary in the contract's schema, no registry
 * framing (the stores live and die with one replay, in one process, under one schema).
 */
final class StateCodec<T extends SpecificRecord> {

    static {
        AvroContract.trustGeneratedClasses();
    }

    static final StateCodec<FlagState> FLAGS = new StateCodec<>(FlagState.class);
    static final StateCodec<SegmentState> SEGMENTS = new StateCodec<>(SegmentState.class);
    static final StateCodec<RolloutPlanState> PLANS = new StateCodec<>(RolloutPlanState.class);

    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;

    private StateCodec(Class<T> type) {
        this.writer = new SpecificDatumWriter<>(type);
        this.reader = new SpecificDatumReader<>(type);
    }

    byte[] encode(T state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(state, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    T decode(byte[] bytes) {
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a rebuilt state: " + e.getMessage(), e);
        }
    }
}
