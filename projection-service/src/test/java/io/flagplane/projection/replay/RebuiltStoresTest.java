package io.flagplane.projection.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rebuilt stores answer reads as Kafka Streams' stores do — what {@code ProjectionQueries} and
 * the {@code Verifier} rely on: keys in UTF-8 byte order (not Java's UTF-16 order), ranges inclusive
 * at both ends, a null bound open, {@code from > to} empty.
 */
class RebuiltStoresTest {

    @TempDir
    Path dir;

    private static final java.util.Comparator<String> UTF8 = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    @Test
    void ranges_in_both_directions_match_a_sorted_map_in_utf8_order() throws Exception {
        TreeMap<String, String> expected = new TreeMap<>(UTF8);
        SplittableRandom random = new SplittableRandom(3);
        // history-like keys, plus characters whose UTF-8 order differs from Java's String order
        String[] alphabet = {"a", "b", "z", "/", "#", "0", "9", "é", "\uFB01", "\uD83D\uDE80"};
        try (RebuiltStores stores = RebuiltStores.create(dir.resolve("db"))) {
            BatchBuilder batch = new BatchBuilder(stores);
            for (int i = 0; i < 2_000; i++) {
                StringBuilder key = new StringBuilder("production/");
                for (int c = 0, n = 1 + random.nextInt(6); c < n; c++) {
                    key.append(alphabet[random.nextInt(alphabet.length)]);
                }
                key.append('#').append(String.format("%08d", random.nextInt(100)));
                expected.put(key.toString(), "v" + i);
                batch.put(stores.historyId, key.toString().getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            stores.write(batch);
            ReadOnlyKeyValueStore<String, byte[]> history = stores.history();
            List<String> keys = new ArrayList<>(expected.keySet());
            assertThat(read(history.all())).containsExactlyElementsOf(entries(expected));
            assertThat(read(history.reverseAll())).containsExactlyElementsOf(entries(expected.descendingMap()));
            for (int i = 0; i < 300; i++) {
                String from = random.nextInt(10) == 0 ? null : keys.get(random.nextInt(keys.size())) + (random.nextBoolean() ? "" : "!");
                // bounds that are stored keys and bounds between keys (what the audit query's floor and ceiling are)
                String to = random.nextInt(10) == 0 ? null : keys.get(random.nextInt(keys.size())) + (random.nextBoolean() ? "" : "!");
                NavigableMap<String, String> slice = slice(expected, from, to);
                assertThat(read(history.range(from, to))).as("range %s .. %s", from, to).containsExactlyElementsOf(entries(slice));
                assertThat(read(history.reverseRange(from, to))).as("reverseRange %s .. %s", from, to)
                        .containsExactlyElementsOf(entries(slice.descendingMap()));
            }
            String some = keys.get(17);
            assertThat(new String(history.get(some), StandardCharsets.UTF_8)).isEqualTo(expected.get(some));
            assertThat(history.get("production/absent")).isNull();
            try (KeyValueIterator<String, byte[]> it = history.range(keys.get(5), keys.get(9))) {
                assertThat(it.peekNextKey()).isEqualTo(keys.get(5));
                assertThat(it.next().key).isEqualTo(keys.get(5));
            }
        }
    }

    @Test
    void an_audit_share_and_the_states_read_back() throws Exception {
        try (RebuiltStores stores = RebuiltStores.create(dir.resolve("db"))) {
            BatchBuilder batch = new BatchBuilder(stores);
            var flag = io.flagplane.fixtures.States.booleanState("production", "checkout.new_ui", 3);
            batch.put(stores.flagsId, "production/checkout.new_ui".getBytes(StandardCharsets.UTF_8), StateCodec.FLAGS.encode(flag));
            batch.put(stores.auditId, "k1".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            stores.write(batch);
            assertThat(stores.flags().get("production/checkout.new_ui")).isEqualTo(flag);
            assertThat(stores.auditShares()).hasSize(1);
            assertThat(read(stores.auditShares().get(0).all())).containsExactly("k1");
            assertThat(stores.segments().get("production/checkout.new_ui")).isNull();
        }
    }

    @Test
    void a_batch_built_in_java_is_read_back_as_written_whatever_the_lengths() throws Exception {
        try (RebuiltStores stores = RebuiltStores.create(dir.resolve("db"))) {
            BatchBuilder batch = new BatchBuilder(stores);
            // lengths across the varint boundaries (127/128, 16383/16384) and a batch that outgrows its first buffer
            int[] lengths = {0, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_000_000};
            for (int i = 0; i < lengths.length; i++) {
                byte[] value = new byte[lengths[i]];
                Arrays.fill(value, (byte) i);
                batch.put(stores.historyId, ("k" + i + "x".repeat(i * 40)).getBytes(StandardCharsets.UTF_8), value);
            }
            batch.put(stores.auditId, "a".getBytes(StandardCharsets.UTF_8), new byte[] {7});
            assertThat(batch.count()).isEqualTo(lengths.length + 1);
            stores.write(batch);
            assertThat(batch.count()).isZero();
            for (int i = 0; i < lengths.length; i++) {
                byte[] stored = stores.history().get("k" + i + "x".repeat(i * 40));
                assertThat(stored).as("entry %d", i).hasSize(lengths[i]);
                if (lengths[i] > 0) {
                    assertThat(stored[lengths[i] - 1]).isEqualTo((byte) i);
                }
            }
            assertThat(stores.auditShares().get(0).get("a")).containsExactly(7);
            assertThat(stores.history().get("a")).as("each entry in its own column family").isNull();
            stores.write(batch);   // an empty batch writes nothing
        }
    }

    @Test
    void closed_stores_refuse_reads_instead_of_touching_a_closed_database() {
        RebuiltStores stores = RebuiltStores.create(dir.resolve("db"));
        ReadOnlyKeyValueStore<String, byte[]> history = stores.history();
        stores.close();
        stores.close();   // twice is harmless
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> history.get("k")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        org.assertj.core.api.Assertions.assertThatThrownBy(history::all).isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.flags().get("k")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void an_iterator_left_open_is_closed_with_the_stores_and_then_refuses_to_go_on() {
        RebuiltStores stores = RebuiltStores.create(dir.resolve("db"));
        BatchBuilder batch = new BatchBuilder(stores);
        for (int i = 0; i < 10; i++) {
            batch.put(stores.historyId, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i});
        }
        stores.write(batch);
        KeyValueIterator<String, byte[]> open = stores.history().all();
        assertThat(open.next().key).isEqualTo("k0");
        stores.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(open::hasNext).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        open.close();   // harmless after the stores closed it
    }

    @Test
    void a_batch_past_its_size_writes_itself_out() {
        try (RebuiltStores stores = RebuiltStores.create(dir.resolve("db"))) {
            BatchBuilder batch = new BatchBuilder(stores, 1_000);
            for (int i = 0; i < 100; i++) {
                batch.put(stores.historyId, String.format("k%03d", i).getBytes(StandardCharsets.UTF_8), new byte[100]);
            }
            assertThat(batch.count()).as("spilled every ~9 entries").isLessThan(10);
            assertThat(read(stores.history().all())).as("what spilled is already stored").hasSize(100 - batch.count());
            stores.write(batch);
            assertThat(read(stores.history().all())).hasSize(100);
        }
    }

    private static NavigableMap<String, String> slice(TreeMap<String, String> map, String from, String to) {
        if (from != null && to != null && UTF8.compare(from, to) > 0) {
            return new TreeMap<>(UTF8);
        }
        NavigableMap<String, String> out = map;
        if (from != null) {
            out = out.tailMap(from, true);
        }
        if (to != null) {
            out = out.headMap(to, true);
        }
        return out;
    }

    private static List<String> entries(Map<String, String> map) {
        return new ArrayList<>(map.keySet());
    }

    private static List<String> read(KeyValueIterator<String, byte[]> it) {
        List<String> keys = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                keys.add(kv.key);
            }
        }
        return keys;
    }
}
