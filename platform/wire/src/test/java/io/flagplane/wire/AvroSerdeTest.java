package io.flagplane.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.fixtures.Events;
import io.flagplane.registry.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerializer<FlagEvent> serializer = new AvroSerializer<>(registry, true);
    private final AvroDeserializer<FlagEvent> deserializer = new AvroDeserializer<>(registry, FlagEvent.class);

    static Stream<FlagEvent> everyEventKind() {
        var flag = Events.on("production", "checkout.new_ui");
        return Stream.of(
                flag.version(1).reason("seed 002: default off").createdBoolean(false),
                flag.version(2).enabled(),
                flag.version(3).rollout("on", 1_000, "off"),
                flag.version(4).allow("on", "user-1", "user-2"),
                flag.version(5).deny("user-3"),
                flag.version(6).changeSet("cs-1").killed(),
                flag.version(7).idempotencyKey("retry-7").revived(),
                flag.version(8).disabled(),
                flag.version(9).archived(),
                flag.version(10).restored());
    }

    @ParameterizedTest
    @MethodSource("everyEventKind")
    void every_event_kind_round_trips_through_the_wire_format(FlagEvent event) {
        byte[] bytes = serializer.serialize("flag-events", event);

        assertThat(deserializer.deserialize("flag-events", bytes)).isEqualTo(event);
    }

    @Test
    void header_is_magic_byte_zero_then_the_big_endian_schema_id() {
        byte[] bytes = serializer.serialize("flag-events", Events.on("production", "a.b").killed());

        int registeredId = registry.latest("flag-events-value").id();
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(registeredId);
    }

    @Test
    void schema_is_registered_under_the_topic_value_subject_once() {
        serializer.serialize("flag-events", Events.on("production", "a.b").killed());
        serializer.serialize("flag-events", Events.on("production", "a.b").version(2).revived());

        var latest = registry.latest("flag-events-value");
        assertThat(latest.version()).isEqualTo(1);
        assertThat(new Schema.Parser().parse(latest.schema())).isEqualTo(FlagEvent.getClassSchema());
    }

    @Test
    void a_key_serializer_registers_under_the_topic_key_subject() {
        AvroSerializer<FlagEvent> keySerializer = new AvroSerializer<>(registry, true);
        keySerializer.configure(java.util.Map.of(), true);

        keySerializer.serialize("t", Events.on("production", "a.b").killed());

        assertThat(registry.latest("t-key").version()).isEqualTo(1);
    }

    @Test
    void null_is_a_tombstone_both_ways() {
        assertThat(serializer.serialize("flag-state", null)).isNull();
        assertThat(deserializer.deserialize("flag-state", null)).isNull();
    }

    @Test
    void without_auto_registration_an_unknown_schema_is_refused_with_a_typed_error() {
        AvroSerializer<FlagEvent> strict = new AvroSerializer<>(registry, false);

        assertThatThrownBy(() -> strict.serialize("flag-events", Events.on("production", "a.b").killed()))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.SCHEMA_NOT_REGISTERED))
                .hasMessageContaining("flag-events-value");
    }

    @Test
    void without_auto_registration_a_registered_schema_is_used() {
        registry.register("flag-events-value", FlagEvent.getClassSchema());
        AvroSerializer<FlagEvent> strict = new AvroSerializer<>(registry, false);
        FlagEvent event = Events.on("production", "a.b").killed();

        assertThat(deserializer.deserialize("flag-events", strict.serialize("flag-events", event))).isEqualTo(event);
    }

    @Test
    void a_record_of_another_type_is_refused_as_incompatible() {
        AvroSerializer<FlagState> stateSerializer = new AvroSerializer<>(registry, true);
        byte[] bytes = stateSerializer.serialize("flag-state", io.flagplane.fixtures.States.booleanState("production", "a.b", 3));

        assertThatThrownBy(() -> deserializer.deserialize("flag-state", bytes))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_SCHEMA));
    }

    /**
     * An older consumer reads events written with a newer, BACKWARD-compatible contract: the new
     * envelope field is skipped, known event types decode, and a new event type is refused one
     * record at a time.
     */
    @Test
    void an_older_reader_reads_newer_events_and_refuses_only_unknown_event_types() throws IOException {
        Schema newer = newerEventSchema();
        int newerId = registry.register("flag-events-value", newer);

        GenericRecord killed = genericEnvelope(newer, "FlagKilled");
        FlagEvent decoded = deserializer.deserialize("flag-events", encode(newer, newerId, killed));
        assertThat(decoded.getPayload()).isInstanceOf(io.flagplane.avro.FlagKilled.class);
        assertThat(decoded.getFlagKey()).isEqualTo("checkout.new_ui");

        GenericRecord experiment = genericEnvelope(newer, "ExperimentStarted");
        assertThatThrownBy(() -> deserializer.deserialize("flag-events", encode(newer, newerId, experiment)))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_SCHEMA));
    }

    /** Today's FlagEvent plus an envelope field with a default and a new payload branch. */
    static Schema newerEventSchema() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = (ObjectNode) mapper.readTree(FlagEvent.getClassSchema().toString());
        ArrayNode fields = (ArrayNode) json.get("fields");
        ObjectNode source = fields.insertObject(3);
        source.put("name", "source");
        source.put("type", "string");
        source.put("default", "console");
        for (var f : fields) {
            if (f.get("name").asText().equals("payload")) {
                ObjectNode branch = ((ArrayNode) f.get("type")).addObject();
                branch.put("type", "record");
                branch.put("name", "ExperimentStarted");
                branch.putArray("fields").addObject().put("name", "experimentKey").put("type", "string");
            }
        }
        return new Schema.Parser().parse(json.toString());
    }

    private static GenericRecord genericEnvelope(Schema schema, String payloadType) {
        GenericRecord actor = new GenericData.Record(schema.getField("actor").schema());
        actor.put("id", "alice");
        actor.put("kind", new GenericData.EnumSymbol(actor.getSchema().getField("kind").schema(), "USER"));
        Schema payloadSchema = schema.getField("payload").schema().getTypes().stream()
                .filter(s -> s.getName().equals(payloadType)).findFirst().orElseThrow();
        GenericRecord payload = new GenericData.Record(payloadSchema);
        if (payloadType.equals("ExperimentStarted")) {
            payload.put("experimentKey", "checkout-redesign");
        }
        GenericRecord event = new GenericData.Record(schema);
        event.put("eventId", "e-1");
        event.put("environment", "production");
        event.put("source", "ci");
        event.put("flagKey", "checkout.new_ui");
        event.put("version", 3L);
        event.put("occurredAt", 1_700_000_000_000L);
        event.put("actor", actor);
        event.put("payload", payload);
        for (Schema.Field field : schema.getFields()) {   // every other envelope field at its default, as a writer would
            if (event.get(field.pos()) == null && field.hasDefaultValue()) {
                event.put(field.pos(), GenericData.get().getDefaultValue(field));
            }
        }
        return event;
    }

    static byte[] encode(Schema schema, int id, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void the_serde_pairs_the_same_serializer_and_deserializer() {
        AvroSerde<FlagEvent> serde = new AvroSerde<>(registry, FlagEvent.class);
        FlagEvent event = Events.on("staging", "x.y").disabled();

        assertThat(serde.deserializer().deserialize("flag-events", serde.serializer().serialize("flag-events", event)))
                .isEqualTo(event);
        assertThat(List.of(serde.serializer(), serde.deserializer())).doesNotContainNull();
    }
}
