package io.flagplane.registry;

import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible schema registry that serializers and deserializers need.
 * Implementations: {@link RestSchemaRegistryClient} (any registry by URL),
 * {@link CachingSchemaRegistryClient} (in front of any other) and {@link InMemorySchemaRegistry}
 * (no server; unit tests and {@code TopologyTestDriver}).
 *
 * <p>Every method throws {@link SchemaRegistryException}, whose {@link SchemaRegistryException.Kind}
 * says whether to give up ({@code NOT_FOUND}, {@code INCOMPATIBLE}, {@code INVALID}) or retry
 * ({@code UNAVAILABLE}).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject}, or finds it when it is already there.
     *
     * @return the schema's global id, the same for the same schema under every subject
     */
    int register(String subject, Schema schema);

    /**
     * The id of {@code schema} when it is already registered under {@code subject}; registers
     * nothing.
     */
    int lookupId(String subject, Schema schema);

    /** The schema registered with this global id. */
    Schema schemaById(int id);

    @Override
    default void close() {
    }
}
