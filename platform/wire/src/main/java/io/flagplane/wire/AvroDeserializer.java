package io.flagplane.wire;

import io.flagplane.contract.AvroContract;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryException;
import io.flagplane.wire.WireFormatException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format records into a generated Avro class. The writer's schema is
 * fetched by the header's id (and cached); the record is resolved into the class's own schema,
 * so a consumer built against an older contract reads records written with a newer one, as long
 * as the change was compatible.
 *
 * <p>Bad bytes never escape as anything but a {@link WireFormatException} with a
 * {@link WireFormatException.Reason}: wrong magic byte, unknown id, truncated or malformed body,
 * trailing bytes, an incompatible writer schema, or an unreachable registry.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

    private SchemaRegistryClient registry;
    private Class<T> type;
    private Schema readerSchema;
    private SpecificData model;
    private boolean ownsRegistry;
    private final Map<Integer, Readers<T>> readers = new ConcurrentHashMap<>();

    /**
     * How records with one writer schema are read. {@code guard} is null unless the writer has
     * union branches the reader lacks; then each record is first decoded with the writer's own
     * schema to refuse those branches (see {@link UnknownBranchGuard}).
     */
    private record Readers<T>(DatumReader<T> resolving, Set<String> unknownBranches, DatumReader<Object> guard) {
    }

    /** For Kafka, which builds deserializers by class name and then calls {@link #configure}. */
    public AvroDeserializer() {
    }

    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        setType(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = null;
        if (registry == null) {
            config = AvroSerdeConfig.from(configs);
            registry = config.client();
            ownsRegistry = true;
        }
        if (type == null) {
            String className = config != null ? config.readerClass() : AvroSerdeConfig.from(configs).readerClass();
            if (className == null) {
                throw new ConfigException(AvroSerdeConfig.READER_CLASS, null, "name the generated Avro class to read into");
            }
            try {
                setType((Class<T>) Class.forName(className));
            } catch (ClassNotFoundException | ClassCastException e) {
                throw new ConfigException(AvroSerdeConfig.READER_CLASS, className, "not a generated Avro class on the classpath");
            }
        }
    }

    private void setType(Class<T> type) {
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro class");
        }
        this.type = type;
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (type == null) {
            throw new IllegalStateException("AvroDeserializer used before configure(): no reader class");
        }
        int id = ConfluentWireFormat.schemaId(data);
        Readers<T> reader = readers.get(id);
        if (reader == null) {
            reader = readersFor(id, topic);
            readers.put(id, reader);
        }
        if (reader.guard() != null) {
            refuseUnknownBranches(topic, data, id, reader);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                data.length - ConfluentWireFormat.HEADER_SIZE, DECODERS.get());
        DECODERS.set(decoder);
        T value;
        try {
            value = reader.resolving().read(null, decoder);
            if (!decoder.isEnd()) {
                throw new WireFormatException(Reason.MALFORMED, id, "record on " + topic + " with schema id " + id
                        + " has bytes left over after a complete " + readerSchema.getFullName());
            }
        } catch (WireFormatException e) {
            throw e;
        } catch (EOFException e) {
            throw new WireFormatException(Reason.TRUNCATED, id, "record on " + topic + " with schema id " + id
                    + " ends before its " + readerSchema.getFullName() + " is complete", e);
        } catch (AvroTypeException e) {
            throw new WireFormatException(Reason.INCOMPATIBLE_SCHEMA, id, "record on " + topic + " with schema id " + id
                    + " cannot be read as " + readerSchema.getFullName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(Reason.MALFORMED, id, "record on " + topic + " with schema id " + id
                    + " is not a valid " + readerSchema.getFullName() + ": " + e, e);
        }
        return value;
    }

    private Readers<T> readersFor(int id, String topic) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            Reason reason = e.kind() == SchemaRegistryException.Kind.NOT_FOUND ? Reason.UNKNOWN_SCHEMA_ID
                    : Reason.REGISTRY_UNAVAILABLE;
            throw new WireFormatException(reason, id, "cannot resolve schema id " + id + " of a record on " + topic
                    + ": " + e.getMessage(), e);
        }
        // No up-front compatibility check: a newer writer schema that adds a union branch (a new
        // event type) stays readable for every record that does not use that branch.
        Set<String> unknown = UnknownBranchGuard.unknownBranches(writer, readerSchema);
        return new Readers<>(new SpecificDatumReader<>(writer, readerSchema, model), unknown,
                unknown.isEmpty() ? null : new GenericDatumReader<>(writer));
    }

    private void refuseUnknownBranches(String topic, byte[] data, int id, Readers<T> reader) {
        Object asWritten;
        try {
            asWritten = reader.guard().read(null, DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                    data.length - ConfluentWireFormat.HEADER_SIZE, null));
        } catch (EOFException e) {
            throw new WireFormatException(Reason.TRUNCATED, id, "record on " + topic + " with schema id " + id
                    + " ends before it is complete", e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(Reason.MALFORMED, id, "record on " + topic + " with schema id " + id
                    + " is not valid for its own schema: " + e, e);
        }
        UnknownBranchGuard.findUnknown(asWritten, reader.unknownBranches()).ifPresent(type -> {
            throw new WireFormatException(Reason.INCOMPATIBLE_SCHEMA, id, "record on " + topic + " with schema id " + id
                    + " holds a " + type + ", which " + readerSchema.getFullName() + " of this reader does not know");
        });
    }

    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }
}
