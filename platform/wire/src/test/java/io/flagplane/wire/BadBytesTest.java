package io.flagplane.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.flagplane.avro.FlagEvent;
import io.flagplane.fixtures.Events;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.wire.WireFormatException.Reason;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad bytes give a typed {@link WireFormatException}: never a hang, never another exception. */
class BadBytesTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerializer<FlagEvent> serializer = new AvroSerializer<>(registry, true);
    private final AvroDeserializer<FlagEvent> deserializer = new AvroDeserializer<>(registry, FlagEvent.class);
    private final byte[] valid = serializer.serialize("flag-events",
            Events.on("production", "checkout.new_ui").version(3).reason("a reason").rollout("on", 5_000, "off"));

    private static Reason reasonOf(Throwable t) {
        assertThat(t).isInstanceOf(WireFormatException.class);
        return ((WireFormatException) t).reason();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void fewer_than_five_bytes_are_too_short(int length) {
        assertThat(reasonOf(catchThrowable(() -> deserializer.deserialize("flag-events", new byte[length]))))
                .isEqualTo(Reason.TOO_SHORT);
    }

    @Test
    void a_wrong_magic_byte_is_refused() {
        byte[] bytes = valid.clone();
        bytes[0] = 1;

        assertThatThrownBy(() -> deserializer.deserialize("flag-events", bytes))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MAGIC_BYTE))
                .hasMessageContaining("magic byte");
    }

    @Test
    void an_unknown_schema_id_is_refused() {
        byte[] bytes = valid.clone();
        bytes[4] = 99;

        assertThatThrownBy(() -> deserializer.deserialize("flag-events", bytes))
                .isInstanceOfSatisfying(WireFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
                    assertThat(e.schemaId()).isEqualTo(99);
                });
    }

    @Test
    void every_truncation_of_a_valid_record_is_refused() {
        for (int length = ConfluentWireFormat.HEADER_SIZE; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            assertThat(reasonOf(catchThrowable(() -> deserializer.deserialize("flag-events", cut))))
                    .as("record cut to %d of %d bytes", length, valid.length)
                    .isIn(Reason.TRUNCATED, Reason.MALFORMED);
        }
    }

    @Test
    void bytes_left_over_after_a_complete_record_are_refused() {
        byte[] padded = Arrays.copyOf(valid, valid.length + 3);

        assertThat(reasonOf(catchThrowable(() -> deserializer.deserialize("flag-events", padded))))
                .isEqualTo(Reason.MALFORMED);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void a_string_claiming_gigabytes_is_refused_without_allocating_them() {
        byte[] bytes = Arrays.copyOf(valid, ConfluentWireFormat.HEADER_SIZE + 5);
        // eventId is the first field: its zig-zag varint length becomes ~2^30
        bytes[5] = (byte) 0xfe;
        bytes[6] = (byte) 0xff;
        bytes[7] = (byte) 0xff;
        bytes[8] = (byte) 0xff;
        bytes[9] = (byte) 0x07;

        assertThat(reasonOf(catchThrowable(() -> deserializer.deserialize("flag-events", bytes))))
                .isIn(Reason.TRUNCATED, Reason.MALFORMED);
    }

    /** A seeded fuzz: flipped, inserted and deleted bytes after the header. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutated_records_either_decode_or_fail_with_a_typed_error() {
        Random random = new Random(20261121L);
        EnumSet<Reason> seen = EnumSet.noneOf(Reason.class);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = mutate(valid, random);
            try {
                deserializer.deserialize("flag-events", bytes);
            } catch (WireFormatException e) {
                seen.add(e.reason());
            } catch (RuntimeException e) {
                throw new AssertionError("mutation " + i + " escaped as " + e + " for " + Arrays.toString(bytes), e);
            }
        }
        assertThat(seen).contains(Reason.MALFORMED);
    }

    private static byte[] mutate(byte[] source, Random random) {
        byte[] bytes = source.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = ConfluentWireFormat.HEADER_SIZE + random.nextInt(bytes.length - ConfluentWireFormat.HEADER_SIZE);
            switch (random.nextInt(3)) {
                case 0 -> bytes[at] = (byte) random.nextInt(256);
                case 1 -> {
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
                default -> {
                    if (bytes.length > ConfluentWireFormat.HEADER_SIZE + 1) {
                        byte[] shorter = new byte[bytes.length - 1];
                        System.arraycopy(bytes, 0, shorter, 0, at);
                        System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                        bytes = shorter;
                    }
                }
            }
        }
        return bytes;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void an_unreachable_registry_fails_fast_and_says_it_may_work_later() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var unreachable = new CachingSchemaRegistryClient(
                new RestSchemaRegistryClient("http://127.0.0.1:" + closedPort, Duration.ofSeconds(2), null));
        AvroDeserializer<FlagEvent> cut = new AvroDeserializer<>(unreachable, FlagEvent.class);

        assertThatThrownBy(() -> cut.deserialize("flag-events", valid))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.REGISTRY_UNAVAILABLE))
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }
}
