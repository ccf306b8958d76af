package io.flagplane.projection.replay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.rocksdb.ColumnFamilyHandle;

/**
 * One rebuild thread's states of one kind (flags, segments or plans), as objects: the fold reads
 * a state, and writes the next one, for almost every event, so reading it back from RocksDB (and
 * decoding it) each time would cost more than the fold. A state is encoded and written when the
 * rebuild ends, or when the cache is full — not at every batch: with a few thousand flags changing
 * all the time, encoding each changed flag at every batch was a tenth of the rebuild. Each key
 * belongs to one partition and each partition to one thread, so no other thread writes these keys.
 *
 * <p>Bounded: past {@code capacity} entries the cache writes what changed and starts over, reading
 * back from the store what it needs.
 */
final class StateCache<V extends SpecificRecord> {

    private static final class Slot<V> {
        final String key;
        V state;
        boolean dirty;

        Slot(String key, V state) {
            this.key = key;
            this.state = state;
        }
    }

    private final RebuiltStores stores;
    private final ColumnFamilyHandle store;
    private final int storeId;
    private final StateCodec<V> codec;
    private final int capacity;
    private final Map<String, Slot<V>> slots = new HashMap<>();
    private final List<Slot<V>> dirty = new ArrayList<>();
    /** The slot last read: the fold writes the state it has just read, so that write needs no second lookup. */
    private Slot<V> last;

    StateCache(RebuiltStores stores, ColumnFamilyHandle store, StateCodec<V> codec, int capacity) {
        this.stores = stores;
        this.store = store;
        this.storeId = store.getID();
        this.codec = codec;
        this.capacity = capacity;
    }

    /** The current state of {@code key}, or null (an absence is remembered too). */
    V get(String key) {
        Slot<V> slot = slots.get(key);
        if (slot == null) {
            byte[] stored = stores.get(store, key);
            slot = new Slot<>(key, stored == null ? null : codec.decode(stored));
            slots.put(key, slot);
        }
        last = slot;
        return slot.state;
    }

    void put(String key, V state) {
        Slot<V> slot = last != null && last.key.equals(key) ? last : slots.computeIfAbsent(key, k -> new Slot<>(k, null));
        slot.state = state;
        if (!slot.dirty) {
            slot.dirty = true;
            dirty.add(slot);
        }
    }

    /** Whether the cache has grown past its bound and should be written out and started over. */
    boolean full() {
        return slots.size() > capacity;
    }

    /**
     * Adds every state changed since it was last written to {@code batch}, encoded, and starts over
     * if the cache has grown past its bound (everything in it is clean now).
     */
    void writeChanged(BatchBuilder batch) {
        for (Slot<V> slot : dirty) {
            batch.put(storeId, slot.key.getBytes(StandardCharsets.UTF_8), codec.encode(slot.state));
            slot.dirty = false;
        }
        dirty.clear();
        if (full()) {
            slots.clear();
            last = null;
        }
    }
}
