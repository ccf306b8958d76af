package io.flagplane.projection.replay;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.history.HistoryCodec;
import io.flagplane.projection.query.FoldStores;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Promise 4, checked: every store the replay rebuilt equals the live projection's, byte for byte.
 * The live side is read from its changelog topics ({@code <applicationId>-<store>-changelog}),
 * which hold exactly what its stores hold, so the check needs no running live instance.
 *
 * <p>The live projection may have folded events that arrived after the replay began: a flag whose
 * live version is higher, and history entries above the replay's version, count as "live ahead",
 * not as differences. If the live side is behind, the check waits for it (up to the patience given).
 */
public final class Verifier {

    /** One store's comparison. */
    public record StoreReport(String store, long identical, long liveAhead, long different, long missingLive, long missingReplay,
                              List<String> examples) {
        public boolean ok() {
            return different == 0 && missingLive == 0 && missingReplay == 0;
        }
    }

    /** Every store's comparison. */
    public record Report(List<StoreReport> stores) {
        public boolean ok() {
            return stores.stream().allMatch(StoreReport::ok);
        }

        public long identical() {
            return stores.stream().mapToLong(StoreReport::identical).sum();
        }
    }

    private final KafkaClientSettings kafka;
    private final String liveApplicationId;
    private final FoldStores replay;
    private final AvroSerializer<SpecificRecord> serializer;
    private final PrintStream progress;

    Verifier(KafkaClientSettings kafka, String liveApplicationId, SchemaRegistryClient registry, FoldStores replay,
             PrintStream progress) {
        this.kafka = kafka;
        this.liveApplicationId = liveApplicationId;
        this.replay = replay;
        this.serializer = new AvroSerializer<>(registry, true);
        this.progress = progress;
    }

    public Report verify(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Report report = compare();
            if (report.ok() || System.nanoTime() > deadline) {
                report.stores().forEach(s -> progress.printf("  %-15s %,10d identical, %,d live ahead, %,d different, %,d missing "
                        + "live, %,d missing in the replay%s%n", s.store(), s.identical(), s.liveAhead(), s.different(),
                        s.missingLive(), s.missingReplay(), s.examples().isEmpty() ? "" : " e.g. " + s.examples()));
                return report;
            }
            progress.println("  the live projection differs (still catching up?); checking again");
            Thread.sleep(1_000);
        }
    }

    private Report compare() {
        Map<String, Long> replayFlagVersions = new HashMap<>();
        Map<String, byte[]> flags = new LinkedHashMap<>();
        try (KeyValueIterator<String, FlagState> all = replay.flags().all()) {
            all.forEachRemaining(kv -> {
                flags.put(kv.key, serializer.serialize(changelog(FlagProjectionTopology.FLAG_STORE), kv.value));
                replayFlagVersions.put(historyPrefix(kv.value.getEnvironment(), kv.value.getFlagKey(), false), kv.value.getVersion());
            });
        }
        Map<String, byte[]> segments = new LinkedHashMap<>();
        try (KeyValueIterator<String, SegmentState> all = replay.segments().all()) {
            all.forEachRemaining(kv -> {
                segments.put(kv.key, serializer.serialize(changelog(FlagProjectionTopology.SEGMENT_STORE), kv.value));
                replayFlagVersions.put(historyPrefix(kv.value.getEnvironment(), kv.value.getSegmentKey(), true),
                        kv.value.getVersion());
            });
        }
        Map<String, byte[]> plans = new LinkedHashMap<>();
        try (KeyValueIterator<String, RolloutPlanState> all = replay.plans().all()) {
            all.forEachRemaining(kv -> {
                plans.put(kv.key, serializer.serialize(changelog(FlagProjectionTopology.PLAN_STORE), kv.value));
                replayFlagVersions.put(kv.key, kv.value.getVersion());   // a plan's history is filed under its state key
            });
        }
        List<StoreReport> reports = new ArrayList<>();
        reports.add(compareStates(FlagProjectionTopology.FLAG_STORE, flags));
        reports.add(compareStates(FlagProjectionTopology.SEGMENT_STORE, segments));
        reports.add(compareStates(FlagProjectionTopology.PLAN_STORE, plans));
        reports.add(compareLog(FlagProjectionTopology.HISTORY_STORE, all(replay.history()), replayFlagVersions, false));
        Map<String, byte[]> audit = new LinkedHashMap<>();
        for (ReadOnlyKeyValueStore<String, byte[]> share : replay.auditShares()) {
            audit.putAll(all(share));
        }
        reports.add(compareLog(FlagProjectionTopology.AUDIT_STORE, audit, replayFlagVersions, true));
        return new Report(reports);
    }

    private static String historyPrefix(String environment, String key, boolean segment) {
        return environment + "/" + (segment ? "segment:" : "") + key;
    }

    private static Map<String, byte[]> all(ReadOnlyKeyValueStore<String, byte[]> store) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                out.put(kv.key, kv.value);
            }
        }
        return out;
    }

    private String changelog(String store) {
        return liveApplicationId + "-" + store + "-changelog";
    }

    /** Current-state stores: the same bytes, or the live one is at a later version. */
    private StoreReport compareStates(String store, Map<String, byte[]> rebuilt) {
        Map<String, byte[]> live = readChangelog(changelog(store));
        long identical = 0;
        long ahead = 0;
        long different = 0;
        long missingLive = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : rebuilt.entrySet()) {
            byte[] liveValue = live.remove(e.getKey());
            if (liveValue == null) {
                missingLive++;
                example(examples, "missing live: " + e.getKey());
            } else if (Arrays.equals(liveValue, e.getValue())) {
                identical++;
            } else if (versionOf(liveValue) > versionOf(e.getValue())) {
                ahead++;
            } else {
                different++;
                example(examples, "different: " + e.getKey());
            }
        }
        // whatever is left live was created after the replay began
        return new StoreReport(store, identical, ahead + live.size(), different, missingLive, 0, examples);
    }

    /** History and audit: every rebuilt entry identical live; live extras only above the rebuilt versions. */
    private StoreReport compareLog(String store, Map<String, byte[]> rebuilt, Map<String, Long> replayVersions, boolean audit) {
        Map<String, byte[]> live = readChangelog(changelog(store));
        long identical = 0;
        long different = 0;
        long missingLive = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : rebuilt.entrySet()) {
            byte[] liveValue = live.remove(e.getKey());
            if (liveValue == null) {
                missingLive++;
                example(examples, "missing live: " + e.getKey());
            } else if (Arrays.equals(liveValue, e.getValue())) {
                identical++;
            } else {
                different++;
                example(examples, "different: " + e.getKey());
            }
        }
        long ahead = 0;
        long missingReplay = 0;
        for (String key : live.keySet()) {
            String recordKey;
            long version;
            if (audit) {
                HistoryCodec.AuditKey parsed = HistoryCodec.parseAuditKey(key);
                recordKey = parsed.recordKey();
                version = parsed.version();
            } else {
                int at = key.lastIndexOf('#');
                recordKey = key.substring(0, at);
                version = Long.parseLong(key.substring(at + 1));
            }
            if (version > replayVersions.getOrDefault(recordKey, 0L)) {
                ahead++;
            } else {
                missingReplay++;
                example(examples, "missing in the replay: " + key);
            }
        }
        return new StoreReport(store, identical, ahead, different, missingLive, missingReplay, examples);
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < 3) {
            examples.add(text);
        }
    }

    /**
     * The version field of a Confluent-framed FlagState/SegmentState/RolloutPlanState: environment, key, then the version
     * (zig-zag long).
     */
    private static long versionOf(byte[] framed) {
        int at = 5;
        for (int field = 0; field < 2; field++) {
            long[] length = readLong(framed, at);
            at = (int) (length[1] + length[0]);
        }
        return readLong(framed, at)[0];
    }

    /** An Avro zig-zag varint at {@code at}: {value, position after it}. */
    private static long[] readLong(byte[] bytes, int at) {
        long raw = 0;
        int shift = 0;
        int b;
        do {
            b = bytes[at++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return new long[] {(raw >>> 1) ^ -(raw & 1), at};
    }

    private Map<String, byte[]> readChangelog(String topic) {
        Map<String, byte[]> out = new HashMap<>();
        Map<String, Object> config = kafka.applyTo(ClientRole.CONSUMER, new HashMap<>(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000)));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return out;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        out.remove(record.key());
                    } else {
                        out.put(record.key(), record.value());
                    }
                }
            }
        }
        return out;
    }
}
