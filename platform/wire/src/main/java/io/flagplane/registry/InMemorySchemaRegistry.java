package io.flagplane.registry;

import org.apache.avro.Schema;

/**
 * A registry with no server and no storage, enforcing the same rules as the embedded one
 * (ids, versions, BACKWARD compatibility). For unit tests and {@code TopologyTestDriver}
 * tests, where there is no broker to keep a registry in.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final SchemaRegistryState state = new SchemaRegistryState();

    @Override
    public synchronized int register(String subject, Schema schema) {
        var registration = state.prepareRegistration(subject, schema.toString());
        if (registration instanceof SchemaRegistryState.Created created) {
            state.apply(created.record());
        }
        return registration.schema().id();
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        return state.lookup(subject, schema.toString()).id();
    }

    @Override
    public synchronized Schema schemaById(int id) {
        return state.schema(id);
    }

    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
        state.apply(new RegistryRecord.CompatibilitySet(subject, level));
    }

    public synchronized RegisteredSchema latest(String subject) {
        return state.version(subject, "latest");
    }
}
