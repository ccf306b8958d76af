package io.flagplane.projection.replay;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.query.FoldStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The stores a replay rebuilds, in one RocksDB of its own with a column family per store (the same
 * names as the live projection's stores): keys are the stores' keys in UTF-8, as Kafka Streams
 * keeps them, so ranges run in the same order; history and audit values are the fold's bytes; the
 * states are kept as plain Avro ({@link StateCodec}), since nobody but this replay reads them and
 * the {@link Verifier} compares them as the live serde writes them.
 *
 * <p>Written in batches without a write-ahead log: a rebuild that fails is run again from zero.
 */
final class RebuiltStores implements FoldStores, AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    /**
     * Touching a closed RocksDB through its Java handles can crash the process, so every read, write
     * and iterator step holds the read side of this lock and checks {@link #closed}; closing takes the
     * write side, after every such call has left, and closes the iterators still open first.
     */
    private final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
    private final Set<AutoCloseable> openIterators = ConcurrentHashMap.newKeySet();
    private boolean closed;
    final ColumnFamilyHandle flags;
    final ColumnFamilyHandle segments;
    final ColumnFamilyHandle plans;
    final ColumnFamilyHandle history;
    final ColumnFamilyHandle audit;
    /** The column families' ids, for batches built in Java (asking a handle is a JNI call). */
    final int flagsId;
    final int segmentsId;
    final int plansId;
    final int historyId;
    final int auditId;

    private RebuiltStores(DBOptions dbOptions, ColumnFamilyOptions columnOptions, RocksDB db, List<ColumnFamilyHandle> handles) {
        this.dbOptions = dbOptions;
        this.columnOptions = columnOptions;
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        this.db = db;
        this.handles = handles;
        this.flags = handles.get(1);
        this.segments = handles.get(2);
        this.plans = handles.get(3);
        this.history = handles.get(4);
        this.audit = handles.get(5);
        this.flagsId = flags.getID();
        this.segmentsId = segments.getID();
        this.plansId = plans.getID();
        this.historyId = history.getID();
        this.auditId = audit.getID();
    }

    /** Creates the stores, empty, in {@code dir} (which must not hold a database yet). */
    static RebuiltStores create(Path dir) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setErrorIfExists(true)
                .setCreateMissingColumnFamilies(true).setMaxBackgroundJobs(2);
        ColumnFamilyOptions columnOptions = new ColumnFamilyOptions();
        // not compressed: the stores live as long as one replay, and compressing every flush cost a share of two cores
        columnOptions.setCompressionType(CompressionType.NO_COMPRESSION);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions));
        for (String name : List.of(FlagProjectionTopology.FLAG_STORE, FlagProjectionTopology.SEGMENT_STORE,
                FlagProjectionTopology.PLAN_STORE, FlagProjectionTopology.HISTORY_STORE, FlagProjectionTopology.AUDIT_STORE)) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), columnOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RebuiltStores(dbOptions, columnOptions, db, handles);
        } catch (RocksDBException | java.io.IOException e) {
            handles.forEach(ColumnFamilyHandle::close);
            dbOptions.close();
            columnOptions.close();
            throw new IllegalStateException("cannot create the replay's stores in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code action} while the stores are open, and keeps them open until it returns. */
    <T> T whileOpen(Supplier<T> action) {
        guard.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the replay's stores are closed");
            }
            return action.get();
        } finally {
            guard.readLock().unlock();
        }
    }

    /** An iterator to close if the stores close first; {@link #forget} it when it closes itself. */
    void remember(AutoCloseable iterator) {
        openIterators.add(iterator);
    }

    void forget(AutoCloseable iterator) {
        openIterators.remove(iterator);
    }

    RocksDB db() {
        return db;
    }

    /** Writes what {@code batch} holds (and leaves it empty). */
    void write(BatchBuilder batch) {
        if (batch.count() == 0) {
            return;
        }
        whileOpen(() -> {
            try (WriteBatch entries = batch.take()) {
                db.write(writeOptions, entries);
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot write the replay's stores: " + e.getMessage(), e);
            }
            return null;
        });
    }

    /** The stored bytes of {@code key}, or null. */
    byte[] get(ColumnFamilyHandle store, String key) {
        return whileOpen(() -> {
            try {
                return db.get(store, key.getBytes(StandardCharsets.UTF_8));
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot read the replay's stores: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public ReadOnlyKeyValueStore<String, FlagState> flags() {
        return view(FlagProjectionTopology.FLAG_STORE, flags, StateCodec.FLAGS::decode);
    }

    @Override
    public ReadOnlyKeyValueStore<String, SegmentState> segments() {
        return view(FlagProjectionTopology.SEGMENT_STORE, segments, StateCodec.SEGMENTS::decode);
    }

    @Override
    public ReadOnlyKeyValueStore<String, RolloutPlanState> plans() {
        return view(FlagProjectionTopology.PLAN_STORE, plans, StateCodec.PLANS::decode);
    }

    @Override
    public ReadOnlyKeyValueStore<String, byte[]> history() {
        return view(FlagProjectionTopology.HISTORY_STORE, history, Function.identity());
    }

    /** One share: the rebuild folds every partition into one audit index. */
    @Override
    public List<ReadOnlyKeyValueStore<String, byte[]>> auditShares() {
        return List.of(view(FlagProjectionTopology.AUDIT_STORE, audit, Function.identity()));
    }

    private <V> ReadOnlyKeyValueStore<String, V> view(String name, ColumnFamilyHandle store, Function<byte[], V> decode) {
        return new RocksView<>(name, this, store, decode);
    }

    @Override
    public void close() {
        guard.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (AutoCloseable iterator : openIterators) {
                try {
                    iterator.close();
                } catch (Exception e) {
                    // closing a RocksDB iterator does not throw; nothing to add
                }
            }
            openIterators.clear();
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            writeOptions.close();
            dbOptions.close();
            columnOptions.close();
        } finally {
            guard.writeLock().unlock();
        }
    }
}
