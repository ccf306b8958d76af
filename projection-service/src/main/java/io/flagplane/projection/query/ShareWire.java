package io.flagplane.projection.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One instance's share of the audit log or of an export, as it hands it to the instance that
 * merges: the contract's records in the Confluent wire format (each under its topic's subject, the
 * bytes the services write to Kafka, so neighbours on different schema versions read each other by
 * Avro schema resolution), framed with lengths. Never the public JSON: the merging instance gets
 * the same records its own stores give it, and the HTTP layer renders all of them one way.
 *
 * <p>Frames: a 4-byte magic, then counts and length-prefixed fields. Reading checks every count
 * and length against what is left, so a truncated or foreign body is refused, never over-read.
 */
public final class ShareWire {

    public static final String AUDIT_CONTENT_TYPE = "application/vnd.flagplane.audit-share";
    public static final String EXPORT_CONTENT_TYPE = "application/vnd.flagplane.export-share";

    /** "FPA2": each entry ends with its summary (FPA1 had none; a neighbour on FPA1 is refused as unreadable, then retried). */
    private static final int AUDIT_MAGIC = 0x46504132;
    private static final int EXPORT_MAGIC = 0x46505831;  // "FPX1"
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TopicNames topics;
    private final AvroSerializer<FlagEvent> eventWriter;
    private final AvroSerializer<FlagState> flagWriter;
    private final AvroSerializer<SegmentState> segmentWriter;
    private final AvroDeserializer<FlagEvent> eventReader;
    private final AvroDeserializer<FlagState> flagReader;
    private final AvroDeserializer<SegmentState> segmentReader;

    public ShareWire(SchemaRegistryClient registry, TopicNames topics) {
        this.topics = topics;
        this.eventWriter = new AvroSerializer<>(registry, true);
        this.flagWriter = new AvroSerializer<>(registry, true);
        this.segmentWriter = new AvroSerializer<>(registry, true);
        this.eventReader = new AvroDeserializer<>(registry, FlagEvent.class);
        this.flagReader = new AvroDeserializer<>(registry, FlagState.class);
        this.segmentReader = new AvroDeserializer<>(registry, SegmentState.class);
    }

    // ------------------------------------------------------------------ audit

    public byte[] encode(Audit.Share share) {
        try {
            Frames out = new Frames(AUDIT_MAGIC);
            out.string(share.scannedTo());
            out.count(share.entries().size());
            for (Audit.Entry entry : share.entries()) {
                out.string(entry.position());
                out.string(entry.subject().eventKey());
                out.count(entry.tags().size());
                for (String tag : entry.tags()) {
                    out.string(tag);
                }
                out.bytes(eventWriter.serialize(topics.flagEvents(), entry.change().event()));
                out.string(entry.change().diff() == null ? null : JSON.writeValueAsString(entry.change().diff()));
                out.string(entry.change().summary());
            }
            return out.done();
        } catch (IOException | SerializationException e) {
            throw QueryException.unavailable("this instance's share of the audit log cannot be encoded right now; retry in a moment");
        }
    }

    public Audit.Share decodeAudit(byte[] body, String from) {
        try {
            Reader in = new Reader(body, AUDIT_MAGIC);
            String scannedTo = in.string();
            int count = in.count();
            List<Audit.Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String position = in.string();
                AggregateRef subject = AggregateRef.ofEventKey(in.string());
                int tagCount = in.count();
                List<String> tags = new ArrayList<>(tagCount);
                for (int t = 0; t < tagCount; t++) {
                    tags.add(in.string());
                }
                FlagEvent event = eventReader.deserialize(topics.flagEvents(), in.bytes());
                String diff = in.string();
                JsonNode diffJson = diff == null ? null : JSON.readTree(diff);
                String summary = in.string();
                entries.add(new Audit.Entry(position, subject,
                        new HistoryReader.Entry(event.getVersion(), event.getOccurredAt(), event, diffJson, summary), tags));
            }
            in.end();
            return new Audit.Share(entries, scannedTo);
        } catch (IOException | RuntimeException e) {
            throw unreadable(from, "share of the audit log");
        }
    }

    // ------------------------------------------------------------------ export

    public byte[] encode(Export share) {
        try {
            Frames out = new Frames(EXPORT_MAGIC);
            out.count(share.flags().size());
            for (FlagState flag : share.flags()) {
                out.bytes(flagWriter.serialize(topics.flagState(), flag));
            }
            out.count(share.segments().size());
            for (SegmentState segment : share.segments()) {
                out.bytes(segmentWriter.serialize(topics.segmentState(), segment));
            }
            return out.done();
        } catch (IOException | SerializationException e) {
            throw QueryException.unavailable("this instance's share of the export cannot be encoded right now; retry in a moment");
        }
    }

    public Export decodeExport(byte[] body, String from) {
        try {
            Reader in = new Reader(body, EXPORT_MAGIC);
            int flagCount = in.count();
            List<FlagState> flags = new ArrayList<>(flagCount);
            for (int i = 0; i < flagCount; i++) {
                flags.add(flagReader.deserialize(topics.flagState(), in.bytes()));
            }
            int segmentCount = in.count();
            List<SegmentState> segments = new ArrayList<>(segmentCount);
            for (int i = 0; i < segmentCount; i++) {
                segments.add(segmentReader.deserialize(topics.segmentState(), in.bytes()));
            }
            in.end();
            return new Export(flags, segments);
        } catch (RuntimeException e) {
            throw unreadable(from, "share of the export");
        }
    }

    private static QueryException unreadable(String from, String what) {
        return QueryException.unavailable("instance " + from + " sent a " + what + " that cannot be read; retry in a moment");
    }

    // ------------------------------------------------------------------ framing

    private static final class Frames {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Frames(int magic) throws IOException {
            out.writeInt(magic);
        }

        void count(int count) throws IOException {
            out.writeInt(count);
        }

        /** Length -1 stands for null. */
        void string(String text) throws IOException {
            bytes(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(byte[] data) throws IOException {
            if (data == null) {
                out.writeInt(-1);
                return;
            }
            out.writeInt(data.length);
            out.write(data);
        }

        byte[] done() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }

    /** Every count and length is checked against the bytes left; anything else is refused. */
    private static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] body, int magic) {
            this.in = ByteBuffer.wrap(body == null ? new byte[0] : body);
            if (in.remaining() < 4 || in.getInt() != magic) {
                throw new IllegalArgumentException("not a share of this kind");
            }
        }

        /** A count of items each at least 4 bytes long, so never more than a quarter of what is left. */
        int count() {
            int count = in.getInt();
            if (count < 0 || count > in.remaining() / 4) {
                throw new IllegalArgumentException("count " + count + " does not fit the body");
            }
            return count;
        }

        String string() {
            byte[] data = bytes();
            return data == null ? null : new String(data, StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            int length = in.getInt();
            if (length == -1) {
                return null;
            }
            if (length < 0 || length > in.remaining()) {
                throw new BufferUnderflowException();
            }
            byte[] data = new byte[length];
            in.get(data);
            return data;
        }

        void end() {
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes past the end");
            }
        }
    }
}
