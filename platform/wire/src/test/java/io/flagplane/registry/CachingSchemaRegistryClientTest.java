package io.flagplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CachingSchemaRegistryClientTest {

    /** Counts the calls that reach the real (in-memory) registry behind the cache. */
    static final class Counting implements SchemaRegistryClient {
        final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public int register(String subject, Schema schema) {
            calls.incrementAndGet();
            return registry.register(subject, schema);
        }

        @Override
        public int lookupId(String subject, Schema schema) {
            calls.incrementAndGet();
            return registry.lookupId(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
            calls.incrementAndGet();
            return registry.schemaById(id);
        }
    }

    private final Schema schema = new Schema.Parser().parse(SchemaRegistryStateTest.V1);
    private final Counting behind = new Counting();
    private final CachingSchemaRegistryClient cache = new CachingSchemaRegistryClient(behind);

    @Test
    void a_registered_schema_is_asked_for_once_in_both_directions() {
        int id = cache.register("t-value", schema);
        cache.register("t-value", schema);
        cache.lookupId("t-value", schema);
        assertThat(cache.schemaById(id)).isEqualTo(schema);

        assertThat(behind.calls).hasValue(1);
    }

    @Test
    void an_id_is_fetched_once() {
        int id = behind.registry.register("t-value", schema);

        cache.schemaById(id);
        cache.schemaById(id);

        assertThat(behind.calls).hasValue(1);
    }

    @Test
    void failures_are_not_cached() {
        assertThatThrownBy(() -> cache.schemaById(1)).isInstanceOf(SchemaRegistryException.class);
        behind.registry.register("t-value", schema);

        assertThat(cache.schemaById(1)).isEqualTo(schema);
        assertThat(behind.calls).hasValue(2);
    }
}
