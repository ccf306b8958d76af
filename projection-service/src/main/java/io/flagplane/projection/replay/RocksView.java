package io.flagplane.projection.replay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * One column family of the {@link RebuiltStores}, read as Kafka Streams' interactive queries read a
 * store: keys in UTF-8 byte order, ranges inclusive at both ends, a null bound open.
 */
final class RocksView<V> implements ReadOnlyKeyValueStore<String, V> {

    private final String name;
    private final RocksDB db;
    private final ColumnFamilyHandle store;
    private final Function<byte[], V> decode;
    private final Runnable checkOpen;

    /** @param checkOpen throws when the database is closed (a closed RocksDB must not be touched) */
    RocksView(String name, RocksDB db, ColumnFamilyHandle store, Function<byte[], V> decode, Runnable checkOpen) {
        this.name = name;
        this.db = db;
        this.store = store;
        this.decode = decode;
        this.checkOpen = checkOpen;
    }

    @Override
    public V get(String key) {
        checkOpen.run();
        try {
            byte[] value = db.get(store, bytes(key));
            return value == null ? null : decode.apply(value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        return new Iter(from == null ? null : bytes(from), to == null ? null : bytes(to), false);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        return new Iter(from == null ? null : bytes(from), to == null ? null : bytes(to), true);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return range(null, null);
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        return reverseRange(null, null);
    }

    @Override
    public long approximateNumEntries() {
        checkOpen.run();
        try {
            return db.getLongProperty(store, "rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** Walks from one bound towards the other; the far bound is checked on every step. */
    private final class Iter implements KeyValueIterator<String, V> {
        private final RocksIterator it;
        private final byte[] from;
        private final byte[] to;
        private final boolean reverse;
        private KeyValue<String, V> next;
        private boolean closed;

        Iter(byte[] from, byte[] to, boolean reverse) {
            checkOpen.run();
            this.it = db.newIterator(store);
            this.from = from;
            this.to = to;
            this.reverse = reverse;
            if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
                it.close();   // an empty range, as Kafka Streams gives for from > to
                closed = true;
                return;
            }
            if (reverse) {
                if (to == null) {
                    it.seekToLast();
                } else {
                    it.seekForPrev(to);
                }
            } else if (from == null) {
                it.seekToFirst();
            } else {
                it.seek(from);
            }
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (closed || !it.isValid()) {
                return false;
            }
            byte[] key = it.key();
            if (reverse ? from != null && Arrays.compareUnsigned(key, from) < 0 : to != null && Arrays.compareUnsigned(key, to) > 0) {
                return false;
            }
            next = KeyValue.pair(new String(key, StandardCharsets.UTF_8), decode.apply(it.value()));
            if (reverse) {
                it.prev();
            } else {
                it.next();
            }
            return true;
        }

        @Override
        public KeyValue<String, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<String, V> out = next;
            next = null;
            return out;
        }

        @Override
        public String peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                it.close();
            }
        }
    }
}
