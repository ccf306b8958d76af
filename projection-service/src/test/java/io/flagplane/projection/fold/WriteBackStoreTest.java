package io.flagplane.projection.fold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class WriteBackStoreTest {

    /** The store beneath, counting writes: what would be serialised and changelogged. */
    private static final class CountingStore implements KeyValueStore<String, String> {
        final TreeMap<String, String> data = new TreeMap<>();
        int writes;
        int flushes;

        @Override public void put(String key, String value) { writes++; data.put(key, value); }
        @Override public String putIfAbsent(String key, String value) { return data.putIfAbsent(key, value); }
        @Override public void putAll(List<KeyValue<String, String>> entries) { entries.forEach(e -> put(e.key, e.value)); }
        @Override public String delete(String key) { writes++; return data.remove(key); }
        @Override public String get(String key) { return data.get(key); }
        @Override public KeyValueIterator<String, String> range(String from, String to) { return iterator(data.subMap(from, true, to, true)); }
        @Override public KeyValueIterator<String, String> reverseRange(String from, String to) {
            return iterator(data.subMap(from, true, to, true).descendingMap());
        }
        @Override public KeyValueIterator<String, String> all() { return iterator(data); }
        @Override public long approximateNumEntries() { return data.size(); }
        @Override public String name() { return "counting"; }
        @Override public void init(StateStoreContext context, StateStore root) { }
        @Override public void flush() { flushes++; }
        @Override public void close() { }
        @Override public boolean persistent() { return true; }
        @Override public boolean isOpen() { return true; }

        private static KeyValueIterator<String, String> iterator(Map<String, String> map) {
            var it = new ArrayList<>(map.entrySet()).iterator();
            return new KeyValueIterator<>() {
                @Override public boolean hasNext() { return it.hasNext(); }
                @Override public KeyValue<String, String> next() { var e = it.next(); return KeyValue.pair(e.getKey(), e.getValue()); }
                @Override public String peekNextKey() { throw new UnsupportedOperationException(); }
                @Override public void close() { }
            };
        }
    }

    private final CountingStore inner = new CountingStore();
    private final WriteBackStore<String> store = new WriteBackStore<>(inner);

    @Test
    void a_value_written_many_times_between_flushes_is_written_through_once_and_read_back_at_once() {
        for (int version = 1; version <= 100; version++) {
            store.put("production/checkout.new_ui", "v" + version);
            assertThat(store.get("production/checkout.new_ui")).isEqualTo("v" + version);
        }
        assertThat(inner.writes).isZero();

        store.flush();

        assertThat(inner.writes).isEqualTo(1);
        assertThat(inner.flushes).isEqualTo(1);
        assertThat(inner.get("production/checkout.new_ui")).isEqualTo("v100");
        assertThat(store.get("production/checkout.new_ui")).isEqualTo("v100");
        store.flush();
        assertThat(inner.writes).as("nothing pending, nothing written").isEqualTo(1);
    }

    @Test
    void scans_lay_pending_values_over_stored_ones_in_key_order() {
        inner.put("a", "stored-a");
        inner.put("c", "stored-c");
        store.put("b", "pending-b");
        store.put("c", "pending-c");

        List<String> seen = new ArrayList<>();
        try (KeyValueIterator<String, String> all = store.all()) {
            all.forEachRemaining(kv -> seen.add(kv.key + "=" + kv.value));
        }
        assertThat(seen).containsExactly("a=stored-a", "b=pending-b", "c=pending-c");
        List<String> reversed = new ArrayList<>();
        try (KeyValueIterator<String, String> range = store.reverseRange("b", "c")) {
            range.forEachRemaining(kv -> reversed.add(kv.key));
        }
        assertThat(reversed).containsExactly("c", "b");
    }

    @Test
    void close_writes_what_is_pending_and_delete_removes_it_everywhere() {
        store.put("x", "1");
        store.put("y", "2");
        store.delete("y");
        store.close();

        assertThat(inner.data).containsExactly(Map.entry("x", "1"));
    }
}
