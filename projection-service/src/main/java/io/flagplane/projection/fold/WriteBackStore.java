package io.flagplane.projection.fold;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A key-value store that keeps the values written since the last commit as objects and writes
 * them through to the store beneath (serialised, changelogged) when Kafka Streams flushes it,
 * which it does before every offset commit. A flag folded a hundred times between commits is
 * serialised once, not a hundred times: serialising the full flag state on every event was a
 * quarter of the fold's CPU. Reads see the pending objects first, from any thread, so
 * interactive queries never see an older value than the fold wrote.
 *
 * <p>Only the stream thread that owns the task writes; interactive queries read concurrently.
 */
public final class WriteBackStore<V> implements KeyValueStore<String, V> {

    private final KeyValueStore<String, V> inner;
    private final ConcurrentHashMap<String, V> pending = new ConcurrentHashMap<>();

    WriteBackStore(KeyValueStore<String, V> inner) {
        this.inner = inner;
    }

    /** Wraps a store builder; caching below this layer would only add another copy, so it is off. */
    public static <V> StoreBuilder<KeyValueStore<String, V>> wrap(StoreBuilder<KeyValueStore<String, V>> builder) {
        StoreBuilder<KeyValueStore<String, V>> inner = builder.withCachingDisabled();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<String, V> build() {
                return new WriteBackStore<>(inner.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    /** Writes the pending values through; Kafka Streams calls this before it commits offsets. */
    @Override
    public void flush() {
        writeThrough();
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeThrough();
        inner.commit(changelogOffsets);
    }

    private void writeThrough() {
        if (pending.isEmpty()) {
            return;
        }
        List<KeyValue<String, V>> batch = new ArrayList<>(pending.size());
        pending.forEach((key, value) -> batch.add(KeyValue.pair(key, value)));
        inner.putAll(batch);
        for (KeyValue<String, V> written : batch) {
            pending.remove(written.key, written.value);
        }
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        writeThrough();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public void put(String key, V value) {
        if (value == null) {
            delete(key);
            return;
        }
        pending.put(key, value);
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(String key) {
        V before = get(key);
        pending.remove(key);
        inner.delete(key);
        return before;
    }

    @Override
    public V get(String key) {
        V value = pending.get(key);
        return value != null ? value : inner.get(key);
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        return merged(inner.range(from, to), from, to, false);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        return merged(inner.reverseRange(from, to), from, to, true);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return merged(inner.all(), null, null, false);
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        return merged(inner.reverseAll(), null, null, true);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries() + pending.size();
    }

    /**
     * The stored entries with the pending ones laid over them, in key order. Lazy: the stored side is
     * read as the caller iterates (a store may hold millions of keys and a caller may stop early);
     * only the pending entries in range, at most one commit's worth, are sorted up front.
     */
    private KeyValueIterator<String, V> merged(KeyValueIterator<String, V> stored, String from, String to, boolean reverse) {
        Comparator<String> order = reverse ? Comparator.<String>reverseOrder() : Comparator.<String>naturalOrder();
        TreeMap<String, V> laid = new TreeMap<>(order);
        pending.forEach((key, value) -> {
            if ((from == null || key.compareTo(from) >= 0) && (to == null || key.compareTo(to) <= 0)) {
                laid.put(key, value);
            }
        });
        var over = laid.entrySet().iterator();
        return new KeyValueIterator<>() {
            private KeyValue<String, V> nextStored;
            private Map.Entry<String, V> nextPending;
            private KeyValue<String, V> peeked;

            private KeyValue<String, V> advance() {
                if (nextStored == null && stored.hasNext()) {
                    nextStored = stored.next();
                }
                if (nextPending == null && over.hasNext()) {
                    nextPending = over.next();
                }
                if (nextStored == null && nextPending == null) {
                    return null;
                }
                int c = nextStored == null ? 1 : nextPending == null ? -1 : order.compare(nextStored.key, nextPending.getKey());
                if (c < 0) {
                    KeyValue<String, V> out = nextStored;
                    nextStored = null;
                    return out;
                }
                if (c == 0) {
                    nextStored = null;   // the pending value is the newer one
                }
                KeyValue<String, V> out = KeyValue.pair(nextPending.getKey(), nextPending.getValue());
                nextPending = null;
                return out;
            }

            @Override
            public boolean hasNext() {
                if (peeked == null) {
                    peeked = advance();
                }
                return peeked != null;
            }

            @Override
            public KeyValue<String, V> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                KeyValue<String, V> out = peeked;
                peeked = null;
                return out;
            }

            @Override
            public String peekNextKey() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return peeked.key;
            }

            @Override
            public void close() {
                stored.close();
            }
        };
    }
}
