package io.flagplane.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Caches both directions in front of another client: (subject, schema) to id, and id to
 * schema. Ids are immutable in every Confluent-compatible registry, so entries never expire.
 * Failures are not cached: a registry that was down is asked again next time.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {

    private record SubjectSchema(String subject, Schema schema) {
    }

    private final SchemaRegistryClient delegate;
    private final Map<SubjectSchema, Integer> registered = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> lookedUp = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public int register(String subject, Schema schema) {
        int id = registered.computeIfAbsent(new SubjectSchema(subject, schema), k -> delegate.register(subject, schema));
        byId.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer known = registered.get(key);
        if (known != null) {
            return known;
        }
        int id = lookedUp.computeIfAbsent(key, k -> delegate.lookupId(subject, schema));
        byId.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        return byId.computeIfAbsent(id, delegate::schemaById);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
