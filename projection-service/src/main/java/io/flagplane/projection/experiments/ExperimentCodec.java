package io.flagplane.projection.experiments;

import io.flagplane.projection.experiments.UserFacts.Exposed;
import io.flagplane.projection.experiments.UserFacts.Tracked;
import io.flagplane.projection.telemetry.TelemetryCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How the analysis stores keep their values. A user's facts are read and written on every record,
 * so they are a small binary format (a version byte, then fields in order); the totals and the
 * time-series points are written once per commit or per minute and travel between instances, so
 * they are JSON of the records ({@link TelemetryCodec}), like the other telemetry stores. These
 * stores are the projection's own, rebuilt from the topics, never read by another program.
 */
public final class ExperimentCodec {

    private static final byte USER_FACTS_V1 = 1;

    private ExperimentCodec() {
    }

    public static Serde<UserFacts> userFacts() {
        return Serdes.serdeFrom((Serializer<UserFacts>) (topic, facts) -> facts == null ? null : encode(facts),
                (Deserializer<UserFacts>) (topic, bytes) -> bytes == null ? null : decode(bytes));
    }

    public static <T> Serde<T> json(Class<T> type) {
        return Serdes.serdeFrom((Serializer<T>) (topic, value) -> value == null ? null : TelemetryCodec.encode(value),
                (Deserializer<T>) (topic, bytes) -> TelemetryCodec.decode(bytes, type));
    }

    static byte[] encode(UserFacts facts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * facts.events().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(USER_FACTS_V1);
            out.writeShort(facts.exposed().size());
            for (Exposed x : facts.exposed()) {
                out.writeUTF(x.experimentKey());
                out.writeUTF(x.flagKey());
                out.writeLong(x.firstAtMs());
                out.writeUTF(x.firstVariant());
                out.writeShort(x.variants().size());
                for (String variant : x.variants()) {
                    out.writeUTF(variant);
                }
                out.writeBoolean(x.finalised());
                Contribution c = x.counted();
                out.writeBoolean(c != null);
                if (c != null) {
                    out.writeUTF(c.variant());
                    out.writeBoolean(c.mixed());
                    out.writeShort(c.metrics());
                    for (int i = 0; i < c.metrics(); i++) {
                        out.writeLong(c.count(i));
                        out.writeLong(c.sum(i));
                    }
                }
            }
            out.writeShort(facts.events().size());
            for (Tracked e : facts.events()) {
                out.writeLong(e.occurredAtMs());
                out.writeUTF(e.eventId());
                out.writeUTF(e.eventKey());
                out.writeLong(e.units());
                out.writeLong(e.arrivedAtMs());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static UserFacts decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != USER_FACTS_V1) {
                throw new IllegalStateException("unknown user-facts format " + version);
            }
            int n = in.readUnsignedShort();
            List<Exposed> exposed = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                String experimentKey = in.readUTF();
                String flagKey = in.readUTF();
                long first = in.readLong();
                String firstVariant = in.readUTF();
                int v = in.readUnsignedShort();
                List<String> variants = new ArrayList<>(v);
                for (int i = 0; i < v; i++) {
                    variants.add(in.readUTF());
                }
                boolean finalised = in.readBoolean();
                Contribution counted = null;
                if (in.readBoolean()) {
                    String variant = in.readUTF();
                    boolean mixed = in.readBoolean();
                    int m = in.readUnsignedShort();
                    long[] counts = new long[m];
                    long[] sums = new long[m];
                    for (int i = 0; i < m; i++) {
                        counts[i] = in.readLong();
                        sums[i] = in.readLong();
                    }
                    counted = new Contribution(variant, mixed, counts, sums);
                }
                exposed.add(new Exposed(experimentKey, flagKey, first, firstVariant, variants, finalised, counted));
            }
            int e = in.readUnsignedShort();
            List<Tracked> events = new ArrayList<>(e);
            for (int k = 0; k < e; k++) {
                events.add(new Tracked(in.readLong(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong()));
            }
            return new UserFacts(exposed, events);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a user's facts", e);
        }
    }
}
