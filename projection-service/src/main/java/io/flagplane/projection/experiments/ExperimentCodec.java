package io.flagplane.projection.experiments;

import io.flagplane.projection.experiments.UserFacts.Exposed;
import io.flagplane.projection.experiments.UserFacts.Tracked;
import io.flagplane.projection.telemetry.TelemetryCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** The format's first byte; 1 was a DataOutputStream layout no store outside development ever held. */
    private static final byte USER_FACTS_V2 = 2;

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
        Out out = new Out(64 + 48 * facts.events().size());
        out.byte1(USER_FACTS_V2);
        out.short2(facts.exposed().size());
        for (Exposed x : facts.exposed()) {
            out.text(x.experimentKey());
            out.text(x.flagKey());
            out.long8(x.firstAtMs());
            out.text(x.firstVariant());
            out.short2(x.variants().size());
            for (String variant : x.variants()) {
                out.text(variant);
            }
            out.byte1(x.finalised() ? 1 : 0);
            Contribution c = x.counted();
            out.byte1(c != null ? 1 : 0);
            if (c != null) {
                out.text(c.variant());
                out.byte1(c.mixed() ? 1 : 0);
                out.short2(c.metrics());
                for (int i = 0; i < c.metrics(); i++) {
                    out.long8(c.count(i));
                    out.long8(c.sum(i));
                }
            }
        }
        out.short2(facts.events().size());
        for (Tracked e : facts.events()) {
            out.long8(e.occurredAtMs());
            out.text(e.eventId());
            out.text(e.eventKey());
            out.long8(e.units());
            out.long8(e.arrivedAtMs());
        }
        return out.bytes();
    }

    static UserFacts decode(byte[] bytes) {
        In in = new In(bytes);
        try {
            byte version = in.byte1();
            if (version != USER_FACTS_V2) {
                throw new IllegalStateException("unknown user-facts format " + version);
            }
            int n = in.short2();
            List<Exposed> exposed = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                String experimentKey = in.text();
                String flagKey = in.text();
                long first = in.long8();
                String firstVariant = in.text();
                int v = in.short2();
                List<String> variants = new ArrayList<>(v);
                for (int i = 0; i < v; i++) {
                    variants.add(in.text());
                }
                boolean finalised = in.byte1() != 0;
                Contribution counted = null;
                if (in.byte1() != 0) {
                    String variant = in.text();
                    boolean mixed = in.byte1() != 0;
                    int m = in.short2();
                    long[] counts = new long[m];
                    long[] sums = new long[m];
                    for (int i = 0; i < m; i++) {
                        counts[i] = in.long8();
                        sums[i] = in.long8();
                    }
                    counted = new Contribution(variant, mixed, counts, sums);
                }
                exposed.add(new Exposed(experimentKey, flagKey, first, firstVariant, variants, finalised, counted));
            }
            int e = in.short2();
            List<Tracked> events = new ArrayList<>(e);
            for (int k = 0; k < e; k++) {
                events.add(new Tracked(in.long8(), in.text(), in.text(), in.long8(), in.long8()));
            }
            return new UserFacts(exposed, events);
        } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalStateException("cannot decode a user's facts: truncated", e);
        }
    }

    /**
     * A growing byte array, big-endian; strings as a 2-byte length and UTF-8 ({@code String.getBytes}
     * is an intrinsic for the Latin-1 strings keys are; {@code DataOutputStream.writeUTF} measured at
     * a tenth of the fold's time, walking every character twice).
     */
    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int size) {
            buf = new byte[size];
        }

        private void room(int k) {
            if (n + k > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
            }
        }

        void byte1(int b) {
            room(1);
            buf[n++] = (byte) b;
        }

        void short2(int s) {
            room(2);
            buf[n++] = (byte) (s >>> 8);
            buf[n++] = (byte) s;
        }

        void long8(long l) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[n++] = (byte) (l >>> shift);
            }
        }

        void text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("a name of " + b.length + " bytes cannot be stored");
            }
            short2(b.length);
            room(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, n);
        }
    }

    private static final class In {
        private final byte[] buf;
        private int p;

        In(byte[] buf) {
            this.buf = buf;
        }

        byte byte1() {
            return buf[p++];
        }

        int short2() {
            int s = (buf[p] & 0xff) << 8 | buf[p + 1] & 0xff;
            p += 2;
            return s;
        }

        long long8() {
            long l = 0;
            for (int i = 0; i < 8; i++) {
                l = l << 8 | buf[p++] & 0xff;
            }
            return l;
        }

        String text() {
            int length = short2();
            if (p + length > buf.length) {
                throw new ArrayIndexOutOfBoundsException(p + length);
            }
            String s = new String(buf, p, length, StandardCharsets.UTF_8);
            p += length;
            return s;
        }
    }
}
