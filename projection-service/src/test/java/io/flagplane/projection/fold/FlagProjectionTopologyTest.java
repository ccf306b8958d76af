package io.flagplane.projection.fold;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentArchived;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentReplaced;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.fixtures.Events;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.wire.AvroSerializer;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlagProjectionTopologyTest {

    private final ProjectionDriver projection = new ProjectionDriver("projection-test");
    private final InMemorySchemaRegistry registry = projection.registry;
    private final ProjectionMetrics metrics = projection.metrics;
    private final TopologyTestDriver driver = projection.driver;
    private final TestOutputTopic<String, FlagState> states = projection.flagStates;
    private final TestOutputTopic<String, SegmentState> segmentStates = projection.segmentStates;
    private final TestInputTopic<String, byte[]> events = projection.events;
    private final AvroSerializer<FlagEvent> eventSerializer = new AvroSerializer<>(registry, true);
    private final Events.Builder flag = Events.on("production", "checkout.new_ui");

    @AfterEach
    void tearDown() {
        projection.close();
    }

    private void send(FlagEvent event) {
        projection.send(event);
    }

    @Test
    void each_event_produces_the_flags_full_state_under_its_key() {
        send(flag.version(1).createdBoolean(false));
        send(flag.version(2).enabled());
        send(flag.version(3).reason("rollback trigger: error rate > 5%").killed());

        var out = states.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.key).containsOnly("production/checkout.new_ui");
        assertThat(out).extracting(kv -> kv.value.getVersion()).containsExactly(1L, 2L, 3L);
        FlagState last = out.get(2).value;
        assertThat(last.getEnabled()).isTrue();
        assertThat(last.getKilled()).isTrue();
        assertThat(last.getLastChange().getReason()).isEqualTo("rollback trigger: error rate > 5%");
    }

    @Test
    void a_duplicated_or_replayed_event_never_moves_a_flag_backwards() {
        send(flag.version(1).createdBoolean(true));
        send(flag.version(2).killed());
        send(flag.version(2).killed());
        send(flag.version(1).createdBoolean(true));

        assertThat(states.readValuesToList()).extracting(FlagState::getVersion).containsExactly(1L, 2L);
        assertThat(metrics.stale()).isEqualTo(2);
        KeyValueStore<String, FlagState> store = driver.getKeyValueStore(FlagProjectionTopology.FLAG_STORE);
        assertThat(store.get("production/checkout.new_ui").getKilled()).isTrue();
    }

    @Test
    void flags_and_environments_fold_independently() {
        send(flag.version(1).createdBoolean(true));
        send(Events.on("staging", "checkout.new_ui").version(1).createdBoolean(false));
        send(Events.on("production", "booking.enabled").version(1).createdBoolean(true));
        send(Events.on("staging", "checkout.new_ui").version(2).enabled());

        KeyValueStore<String, FlagState> store = driver.getKeyValueStore(FlagProjectionTopology.FLAG_STORE);
        assertThat(store.get("staging/checkout.new_ui").getVersion()).isEqualTo(2);
        assertThat(store.get("production/checkout.new_ui").getVersion()).isEqualTo(1);
        assertThat(store.get("production/booking.enabled").getEnabled()).isTrue();
    }

    @Test
    void an_undecodable_record_is_counted_and_skipped_and_the_fold_goes_on() {
        events.pipeInput("production/checkout.new_ui", new byte[] {9, 9, 9});
        events.pipeInput("production/checkout.new_ui", new byte[] {0, 0, 0, 0, 42, 1});
        send(flag.version(1).createdBoolean(true));

        assertThat(metrics.undecodable()).isEqualTo(2);
        assertThat(states.readValuesToList()).hasSize(1);
    }

    @Test
    void an_event_under_the_wrong_key_or_for_an_unknown_flag_is_rejected() {
        events.pipeInput("production/other.flag", eventSerializer.serialize("flag-events", flag.version(1).createdBoolean(true)));
        send(flag.version(2).killed());

        assertThat(metrics.rejected()).isEqualTo(2);
        assertThat(states.isEmpty()).isTrue();
    }

    @Test
    void the_output_is_the_same_fold_the_command_service_uses() {
        List<FlagEvent> history = List.of(flag.version(1).createdBoolean(false), flag.version(2).allow("on", "beta-1"),
                flag.version(3).rollout("on", 1_000, "off"), flag.version(4).enabled());
        history.forEach(this::send);

        FlagState expected = null;
        for (FlagEvent e : history) {
            expected = io.flagplane.contract.FlagStateFold.apply(expected, e).state();
        }
        List<FlagState> out = states.readValuesToList();
        assertThat(out.get(out.size() - 1)).isEqualTo(expected);
    }

    @Test
    void segment_events_fold_into_segment_state_under_environment_and_segment_key() {
        Events.Builder segment = Events.on("production", "paying-tiers");
        SegmentDefinition tiers = SegmentDefinition.newBuilder()
                .setRules(List.of(new SegmentRule(List.of(new Condition("tier", "in", List.of("pro", "enterprise"))))))
                .build();
        SegmentDefinition proOnly = SegmentDefinition.newBuilder(tiers)
                .setRules(List.of(new SegmentRule(List.of(new Condition("tier", "in", List.of("pro")))))).setIncluded(List.of("u-7"))
                .build();
        sendSegment(segment.version(1).with(new SegmentCreated(tiers)));
        sendSegment(segment.version(2).with(new SegmentReplaced(proOnly)));
        sendSegment(segment.version(2).with(new SegmentReplaced(tiers)));   // a replay: stale
        sendSegment(segment.version(3).with(new SegmentArchived()));

        var out = segmentStates.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.key).containsOnly("production/paying-tiers");
        assertThat(out).extracting(kv -> kv.value.getVersion()).containsExactly(1L, 2L, 3L);
        assertThat(out.get(1).value.getDefinition().getIncluded()).containsExactly("u-7");
        assertThat(out.get(2).value.getArchived()).isTrue();
        assertThat(states.isEmpty()).as("segments never reach flag-state").isTrue();
        assertThat(metrics.applied()).isEqualTo(3);
        assertThat(metrics.stale()).isEqualTo(1);
        KeyValueStore<String, SegmentState> store = driver.getKeyValueStore(FlagProjectionTopology.SEGMENT_STORE);
        assertThat(store.get("production/paying-tiers").getArchived()).isTrue();
    }

    @Test
    void a_segment_event_under_a_flags_key_is_rejected() {
        FlagEvent created = Events.on("production", "beta-users").version(1).with(new SegmentCreated(SegmentDefinition.newBuilder().build()));
        events.pipeInput("production/beta-users", eventSerializer.serialize("flag-events", created));

        assertThat(metrics.rejected()).isEqualTo(1);
        assertThat(segmentStates.isEmpty()).isTrue();
    }

    private void sendSegment(FlagEvent event) {
        events.pipeInput(RecordKeys.ofSegmentEvents(event.getEnvironment(), event.getFlagKey()),
                eventSerializer.serialize("flag-events", event));
    }
}
