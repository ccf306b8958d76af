package io.flagplane.projection.replay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * One column family of the {@link RebuiltStores}, read as Kafka Streams' interactive queries read a
 * store: keys in UTF-8 byte order, ranges inclusive at both ends, a null bound open, {@code from >
 * to} empty. Every call, and every step of an iterator, runs while the stores are open
 * ({@link RebuiltStores#whileOpen}); once they close, reads throw instead of touching RocksDB.
 */
final class RocksView<V> implements ReadOnlyKeyValueStore<String, V> {

    private final String name;
    private final RebuiltStores stores;
    private final ColumnFamilyHandle store;
    private final Function<byte[], V> decode;

    RocksView(String name, RebuiltStores stores, ColumnFamilyHandle store, Function<byte[], V> decode) {
        this.name = name;
        this.stores = stores;
        this.store = store;
        this.decode = decode;
    }

    @Override
    public V get(String key) {
        byte[] value = stores.get(store, key);
        return value == null ? null : decode.apply(value);
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        return iterator(from, to, false);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        return iterator(from, to, true);
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
        return stores.whileOpen(() -> {
            try {
                return stores.db().getLongProperty(store, "rocksdb.estimate-num-keys");
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot read " + name + ": " + e.getMessage(), e);
            }
        });
    }

    private KeyValueIterator<String, V> iterator(String from, String to, boolean reverse) {
        byte[] lower = from == null ? null : from.getBytes(StandardCharsets.UTF_8);
        byte[] upper = to == null ? null : to.getBytes(StandardCharsets.UTF_8);
        if (lower != null && upper != null && Arrays.compareUnsigned(lower, upper) > 0) {
            stores.whileOpen(() -> null);   // closed stores throw even for an empty range
            return new Iter(null, lower, upper, reverse);   // empty, as Kafka Streams answers from > to
        }
        return stores.whileOpen(() -> {
            RocksIterator it = stores.db().newIterator(store);
            if (reverse) {
                if (upper == null) {
                    it.seekToLast();
                } else {
                    it.seekForPrev(upper);
                }
            } else if (lower == null) {
                it.seekToFirst();
            } else {
                it.seek(lower);
            }
            Iter iter = new Iter(it, lower, upper, reverse);
            stores.remember(iter);
            return iter;
        });
    }

    /** Walks from one bound towards the other; the far bound is checked on every step. */
    private final class Iter implements KeyValueIterator<String, V> {
        private final RocksIterator it;
        private final byte[] from;
        private final byte[] to;
        private final boolean reverse;
        private KeyValue<String, V> next;
        private boolean closed;

        /** @param it null for an empty range */
        Iter(RocksIterator it, byte[] from, byte[] to, boolean reverse) {
            this.it = it;
            this.from = from;
            this.to = to;
            this.reverse = reverse;
            this.closed = it == null;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (it == null) {
                return false;
            }
            // closed stores throw here, as a Kafka Streams store does; an iterator its caller closed just ends
            return stores.whileOpen(() -> {
                if (closed || !it.isValid()) {
                    return false;
                }
                byte[] key = it.key();
                if (reverse ? from != null && Arrays.compareUnsigned(key, from) < 0
                        : to != null && Arrays.compareUnsigned(key, to) > 0) {
                    return false;
                }
                next = KeyValue.pair(new String(key, StandardCharsets.UTF_8), decode.apply(it.value()));
                if (reverse) {
                    it.prev();
                } else {
                    it.next();
                }
                return true;
            });
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

        /** Idempotent; the stores call it too when they close first. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                it.close();
                stores.forget(this);
            }
        }
    }
}
