package io.flagplane.wire;

import io.flagplane.contract.AvroContract;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryException;
import io.flagplane.wire.WireFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes generated Avro classes in the Confluent wire format. The schema is registered (or, with
 * {@code auto.register.schemas=false}, looked up) under {@code <topic>-value} ({@code -key} for
 * keys), once per topic and schema. Null values pass through as null (tombstones).
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private SchemaRegistryClient registry;
    private boolean autoRegister;
    private boolean ownsRegistry;
    private String subjectSuffix = "-value";
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    /** For Kafka, which builds serializers by class name and then calls {@link #configure}. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister) {
        this.registry = registry;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        subjectSuffix = isKey ? "-key" : "-value";
        if (registry == null) {
            AvroSerdeConfig config = AvroSerdeConfig.from(configs);
            registry = config.client();
            autoRegister = config.autoRegister();
            ownsRegistry = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure(): no schema registry");
        }
        Schema schema = data.getSchema();
        String subject = topic + subjectSuffix;
        int id;
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.lookupId(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new WireFormatException(Reason.SCHEMA_NOT_REGISTERED, -1, "cannot "
                    + (autoRegister ? "register" : "find") + " schema " + schema.getFullName() + " under subject '"
                    + subject + "': " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(0);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)))
                    .write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(Reason.MALFORMED, id, "cannot encode " + schema.getFullName()
                    + " for topic " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }
}
