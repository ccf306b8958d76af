package io.flagplane.projection.fold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.fixtures.Events;
import io.flagplane.projection.history.HistoryCodec;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.registry.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** History, audit and time travel over the real topology and RocksDB stores, without a broker. */
class HistoryTopologyTest {

    private static final String KEY = "production/checkout.new_ui";

    private final ProjectionDriver projection = new ProjectionDriver("history-test");
    private final InMemorySchemaRegistry registry = projection.registry;
    private final ProjectionMetrics metrics = projection.metrics;
    private final TopologyTestDriver driver = projection.driver;
    private final TestOutputTopic<String, FlagState> states = projection.flagStates;
    private final TestOutputTopic<String, byte[]> deadLetters = projection.deadLetters;
    private final TestInputTopic<String, byte[]> events = projection.events;
    private final Events.Builder flag = Events.on("production", "checkout.new_ui");
    private HistoryReader reader;

    @BeforeEach
    void setUp() {
        KeyValueStore<String, byte[]> history = driver.getKeyValueStore(FlagProjectionTopology.HISTORY_STORE);
        reader = new HistoryReader(history, registry);
    }

    @AfterEach
    void tearDown() {
        projection.close();
    }

    private void send(FlagEvent event) {
        projection.send(event);
    }

    /** Version 1 creates the flag; every later version moves its rollout (seed 001's ramp, over and over). */
    private List<FlagState> hundredVersions() {
        send(flag.version(1).createdBoolean(true));
        for (int v = 2; v <= 100; v++) {
            send(flag.version(v).reason("ramp step " + v).rollout("on", (v % 99 + 1) * 100, "off"));
        }
        return states.readValuesToList();
    }

    @Test
    void any_version_is_rebuilt_from_a_keyframe_and_equals_what_the_fold_produced_then() {
        List<FlagState> produced = hundredVersions();
        assertThat(produced).hasSize(100);

        for (int v = 1; v <= 100; v++) {
            assertThat(reader.stateAt(KEY, v)).as("version %d", v).isEqualTo(produced.get(v - 1));
        }
        assertThat(reader.stateAt(KEY, 101)).isNull();
        assertThat(reader.stateAt(KEY, 0)).isNull();
        long keyframes = 0;
        try (KeyValueIterator<String, byte[]> all = driver.<String, byte[]>getKeyValueStore(FlagProjectionTopology.HISTORY_STORE).all()) {
            while (all.hasNext()) {
                keyframes += HistoryCodec.readHistoryValue(all.next().value).hasKeyframe() ? 1 : 0;
            }
        }
        assertThat(keyframes).as("versions 1, 33, 65, 97").isEqualTo(4);
    }

    @Test
    void the_version_current_at_an_instant_is_found_by_event_time() {
        hundredVersions();
        Instant t0 = Events.T0;

        assertThat(reader.versionAt(KEY, t0.plusMillis(50_500), 100)).isEqualTo(50);
        assertThat(reader.versionAt(KEY, t0.plusSeconds(50), 100)).isEqualTo(50);
        assertThat(reader.versionAt(KEY, t0, 100)).isZero();
        assertThat(reader.versionAt(KEY, t0.plusSeconds(1), 100)).isEqualTo(1);
        assertThat(reader.versionAt(KEY, t0.plusSeconds(99_999), 100)).isEqualTo(100);
    }

    @Test
    void history_pages_newest_first_with_a_cursor_and_a_time_window() {
        hundredVersions();

        HistoryReader.Page first = reader.page(KEY, Long.MAX_VALUE, 10, null, null);
        assertThat(first.entries()).extracting(HistoryReader.Entry::version).containsExactly(100L, 99L, 98L, 97L, 96L, 95L, 94L,
                93L, 92L, 91L);
        assertThat(first.nextCursor()).isEqualTo(91);
        HistoryReader.Page second = reader.page(KEY, first.nextCursor(), 10, null, null);
        assertThat(second.entries().get(0).version()).isEqualTo(90);

        HistoryReader.Page window = reader.page(KEY, Long.MAX_VALUE, 50, Events.T0.plusSeconds(10), Events.T0.plusSeconds(12));
        assertThat(window.entries()).extracting(HistoryReader.Entry::version).containsExactly(12L, 11L, 10L);
        assertThat(window.nextCursor()).isNull();

        HistoryReader.Page last = reader.page(KEY, 3, 10, null, null);
        assertThat(last.entries()).extracting(HistoryReader.Entry::version).containsExactly(2L, 1L);
        assertThat(last.nextCursor()).isNull();
    }

    @Test
    void each_entry_carries_who_why_and_a_structured_diff() {
        send(flag.version(1).createdBoolean(false));
        send(flag.version(2).reason("seed 001: 10% of users").rollout("on", 1_000, "off"));
        send(flag.version(3).reason("seed 001: 50%").rollout("on", 5_000, "off"));
        send(flag.version(4).reason("error rate above 5%").killed());

        List<HistoryReader.Entry> entries = reader.page(KEY, Long.MAX_VALUE, 10, null, null).entries();
        assertThat(entries).extracting(e -> e.event().getReason())
                .containsExactly("error rate above 5%", "seed 001: 50%", "seed 001: 10% of users", null);
        JsonNode kill = entries.get(0).diff();
        assertThat(kill).hasSize(1);
        assertThat(kill.get(0).get("field").asText()).isEqualTo("killed");
        JsonNode ramp = entries.get(1).diff();
        assertThat(ramp.get(0).get("field").asText()).isEqualTo("fallthrough.split[on].weight");
        assertThat(ramp.get(0).get("before").asDouble()).isEqualTo(10.0);
        assertThat(ramp.get(0).get("after").asDouble()).isEqualTo(50.0);
        assertThat(entries.get(3).diff().get(0).get("before").isNull()).as("creation").isTrue();

        JsonNode overall = reader.diff(KEY, 1, 4);
        assertThat(overall).extracting(d -> d.get("field").asText()).contains("killed", "fallthrough.variant", "fallthrough.split");
    }

    @Test
    void a_redelivered_event_is_in_the_history_and_the_audit_log_once() {
        send(flag.version(1).createdBoolean(true));
        send(flag.version(2).killed());
        send(flag.version(2).killed());
        send(flag.version(1).createdBoolean(true));

        assertThat(reader.page(KEY, Long.MAX_VALUE, 10, null, null).entries()).hasSize(2);
        assertThat(count(FlagProjectionTopology.AUDIT_STORE)).isEqualTo(2);
        assertThat(count(FlagProjectionTopology.HISTORY_STORE)).isEqualTo(2);
    }

    @Test
    void the_audit_index_is_ordered_by_time_across_flags_and_holds_actor_type_and_tags() {
        send(Events.on("production", "b.flag").version(1).createdBoolean(true));
        send(flag.version(1).createdBoolean(true));
        send(flag.version(2).by(new io.flagplane.avro.Actor("ci-pipeline", io.flagplane.avro.ActorKind.SERVICE_TOKEN)).killed());

        List<String> keys = new ArrayList<>();
        List<HistoryCodec.AuditValue> values = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = driver.<String, byte[]>getKeyValueStore(FlagProjectionTopology.AUDIT_STORE).all()) {
            all.forEachRemaining(kv -> {
                keys.add(kv.key);
                values.add(HistoryCodec.readAuditValue(kv.value));
            });
        }
        assertThat(keys).extracting(k -> HistoryCodec.parseAuditKey(k).recordKey())
                .containsExactly("production/b.flag", KEY, KEY);   // b.flag and v1 at T0+1s sort by key; v2 at T0+2s
        assertThat(values.get(2)).isEqualTo(new HistoryCodec.AuditValue("ci-pipeline", "FlagKilled", List.of()));
    }

    @Test
    void undecodable_records_go_to_the_dead_letter_topic_as_they_were_and_the_fold_goes_on() {
        events.pipeInput(KEY, new byte[] {9, 9, 9});
        send(flag.version(1).createdBoolean(true));

        List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).key()).isEqualTo(KEY);
        assertThat(letters.get(0).value()).containsExactly(9, 9, 9);
        assertThat(new String(letters.get(0).headers().lastHeader("flagplane.dlq.reason").value(), StandardCharsets.UTF_8))
                .startsWith("TOO_SHORT");
        assertThat(new String(letters.get(0).headers().lastHeader("flagplane.dlq.offset").value(), StandardCharsets.UTF_8))
                .isEqualTo("0");
        assertThat(metrics.deadLettered()).isEqualTo(1);
        assertThat(states.readValuesToList()).hasSize(1);
    }

    private long count(String store) {
        long n = 0;
        try (KeyValueIterator<String, byte[]> all = driver.<String, byte[]>getKeyValueStore(store).all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }
}
