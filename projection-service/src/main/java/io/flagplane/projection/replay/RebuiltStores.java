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
import java.util.function.Function;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

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
    /** Reading a closed RocksDB through its Java handle would crash the process, so every read checks this first. */
    private volatile boolean closed;
    final ColumnFamilyHandle flags;
    final ColumnFamilyHandle segments;
    final ColumnFamilyHandle plans;
    final ColumnFamilyHandle history;
    final ColumnFamilyHandle audit;

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
    }

    /** Creates the stores, empty, in {@code dir} (which must not hold a database yet). */
    static RebuiltStores create(Path dir) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2);
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

    /** Throws unless the stores are open. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the replay's stores are closed");
        }
    }

    /** Writes what {@code batch} holds (and leaves it empty). */
    void write(BatchBuilder batch) {
        checkOpen();
        if (batch.count() == 0) {
            return;
        }
        try (WriteBatch entries = batch.take()) {
            db.write(writeOptions, entries);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the replay's stores: " + e.getMessage(), e);
        }
    }

    /** The stored bytes of {@code key}, or null. */
    byte[] get(ColumnFamilyHandle store, String key) {
        checkOpen();
        try {
            return db.get(store, key.getBytes(StandardCharsets.UTF_8));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the replay's stores: " + e.getMessage(), e);
        }
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
        return new RocksView<>(name, db, store, decode, this::checkOpen);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        writeOptions.close();
        dbOptions.close();
        columnOptions.close();
    }
}
