package io.flagplane.projection.telemetry;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global {@value TelemetryStores#FLAG_STATES} store equal to {@code flag-state}: the
 * bytes as they are on the topic (decoded only when read), a tombstone removes. Kafka Streams
 * restores a global store by copying the topic, so this processor must not change what it stores.
 */
final class FlagStateCopy implements Processor<String, byte[], Void, Void> {

    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(TelemetryStores.FLAG_STATES);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
