package io.flagplane.faults;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Serve;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.avro.Variant;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.Topics;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.wire.ConfluentWireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Fault 6's third kind: records written by a <em>newer</em> Flagplane, with a schema registered in
 * the registry as a later, BACKWARD-compatible version of the subject, as a rolling upgrade would
 * write them. Two shapes:
 * <ul>
 *   <li>on {@code flag-events}, an event whose payload is a branch this release does not know (a new
 *       event kind): every reader must refuse it (never misread it as another kind), count it, and the
 *       projection dead-letters it;</li>
 *   <li>on the state and telemetry topics, a record with one more field (with a default): every reader
 *       must read it, ignoring the field; on {@code flag-state} that is a flag the edges then serve.</li>
 * </ul>
 */
final class NewerSchemaRecords {

    /** The new field a newer writer adds to a top-level record. */
    static final String NEW_FIELD = "addedByANewerRelease";

    private NewerSchemaRecords() {
    }

    /** What was written: where, and the flag a newer {@code flag-state} record carries (edges must serve it). */
    record Written(List<String> topics, String newerFlag, String newerEventKey) {
    }

    static Written write(Context c, KafkaProducer<String, byte[]> producer) throws Exception {
        List<String> topics = new ArrayList<>();
        String flag = "poison.newer-" + c.run;
        Instant now = Instant.now();
        String eventKey = RecordKeys.of("production", flag);
        try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(c.cluster.url("registry"))) {
            // flag-events: an event kind this release does not know
            FlagEvent known = FlagEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEnvironment("production")
                    .setFlagKey(flag).setVersion(1).setOccurredAt(now).setActor(new Actor("fault-suite", ActorKind.SYSTEM))
                    .setReason("fault 6: an event from a newer release").setPayload(new FlagEnabled()).build();
            Schema futureBranch = Schema.createRecord("FlagTeleported", "an event kind from a newer release", "io.flagplane.avro", false,
                    List.of(new Schema.Field("destination", Schema.create(Schema.Type.STRING), null, (Object) null)));
            Schema newerEvent = withNewPayloadBranch(FlagEvent.getClassSchema(), futureBranch);
            GenericData.Record payload = new GenericData.Record(futureBranch);
            payload.put("destination", "elsewhere");
            GenericData.Record event = copy(known, newerEvent);
            event.put("payload", payload);
            send(producer, registry, Topics.FLAG_EVENTS, eventKey, newerEvent, event);
            topics.add(Topics.FLAG_EVENTS + " (unknown event kind)");

            // flag-state: a flag with one more field; edges must read it and serve the flag
            FlagState state = FlagState.newBuilder().setEnvironment("production").setFlagKey(flag).setVersion(1)
                    .setDefinition(FlagDefinition.newBuilder().setType(FlagType.BOOLEAN)
                            .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                            .setOffVariant("off").setFallthrough(new Serve("on", null)).setSalt(flag).build())
                    .setEnabled(true).setCreatedAt(now)
                    .setLastChange(new ChangeInfo(known.getEventId(), "FlagCreated", now, known.getActor(), null, null)).build();
            sendWithNewField(producer, registry, Topics.FLAG_STATE, eventKey, state);
            topics.add(Topics.FLAG_STATE + " (one more field)");

            // a telemetry topic: a tracking event with one more field
            TrackingEvent tracked = TrackingEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEnvironment("production")
                    .setEventKey("fault_six").setTargetingKey("user-newer-" + c.run).setOccurredAt(now).build();
            sendWithNewField(producer, registry, Topics.TRACKING_EVENTS, RecordKeys.ofUser("production", tracked.getTargetingKey()), tracked);
            topics.add(Topics.TRACKING_EVENTS + " (one more field)");
        }
        producer.flush();
        return new Written(topics, flag, eventKey);
    }

    private static void sendWithNewField(KafkaProducer<String, byte[]> producer, RestSchemaRegistryClient registry, String topic,
                                         String key, SpecificRecord record) throws Exception {
        Schema newer = withNewField(record.getSchema());
        GenericData.Record value = copy(record, newer);
        value.put(NEW_FIELD, "ignored by this release");
        send(producer, registry, topic, key, newer, value);
    }

    private static void send(KafkaProducer<String, byte[]> producer, RestSchemaRegistryClient registry, String topic, String key,
                             Schema schema, IndexedRecord value) throws Exception {
        // registered as the subject's next version: the registry checks it is BACKWARD compatible, as a newer release's would be
        int id = registry.register(Topics.valueSubject(topic), schema);
        producer.send(new ProducerRecord<>(topic, key, encode(id, schema, value))).get();
    }

    /** The record schema with one more optional string field at the end. */
    static Schema withNewField(Schema record) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(NEW_FIELD, Schema.create(Schema.Type.STRING), "added by a newer release", ""));
        Schema newer = Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
        record.getObjectProps().forEach(newer::addProp);
        return newer;
    }

    /** The event schema with one more branch at the end of its payload union. */
    static Schema withNewPayloadBranch(Schema event, Schema branch) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : event.getFields()) {
            if (f.name().equals("payload")) {
                List<Schema> branches = new ArrayList<>(f.schema().getTypes());
                branches.add(branch);
                fields.add(new Schema.Field(f, Schema.createUnion(branches)));
            } else {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(event.getName(), event.getDoc(), event.getNamespace(), false, fields);
    }

    /** A generic record of the newer schema holding the specific record's values (nested values stay specific). */
    private static GenericData.Record copy(SpecificRecord from, Schema newer) {
        GenericData.Record to = new GenericData.Record(newer);
        for (Schema.Field f : from.getSchema().getFields()) {
            to.put(f.name(), from.get(f.pos()));
        }
        return to;
    }

    private static byte[] encode(int schemaId, Schema schema, IndexedRecord value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[ConfluentWireFormat.HEADER_SIZE]);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<IndexedRecord>(schema).write(value, encoder);
        encoder.flush();
        byte[] bytes = out.toByteArray();
        ConfluentWireFormat.writeHeader(schemaId, bytes);
        return bytes;
    }
}
