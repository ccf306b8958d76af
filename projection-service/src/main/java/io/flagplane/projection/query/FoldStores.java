package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The stores the fold of {@code flag-events} writes ({@link io.flagplane.projection.fold.EventFold}),
 * read-only: what {@link ProjectionQueries} answers from and what the replay's {@code Verifier}
 * compares. The live projection holds them in Kafka Streams ({@link LocalStores}); a replay's
 * rebuild holds them in a RocksDB of its own.
 */
public interface FoldStores {

    ReadOnlyKeyValueStore<String, FlagState> flags();

    ReadOnlyKeyValueStore<String, SegmentState> segments();

    /** Rollout plans, keyed {@code environment/plan:key}. */
    ReadOnlyKeyValueStore<String, RolloutPlanState> plans();

    /** Every applied event per flag, segment or plan ({@code HistoryCodec}'s keys and values). */
    ReadOnlyKeyValueStore<String, byte[]> history();

    /**
     * The time-ordered audit index held here, as one store per share (the live projection keeps
     * one per partition); every key appears in exactly one of them.
     */
    List<ReadOnlyKeyValueStore<String, byte[]>> auditShares();
}
