package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.States;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedTestStack.class)
class RulesetTailIT {

    private TestStack stack;
    private TopicNames topics;
    private KafkaProducer<String, byte[]> producer;
    private AvroSerializer<FlagState> serializer;
    private RulesetTail tail;

    @BeforeEach
    void setUp(TestStack stack) {
        this.stack = stack;
        this.topics = stack.newTopics("tail");
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        this.serializer = new AvroSerializer<>(stack.registryClient(), true);
    }

    @AfterEach
    void tearDown() {
        if (tail != null) {
            tail.close();
        }
        producer.close();
    }

    private void send(FlagState state) throws Exception {
        producer.send(new ProducerRecord<>(topics.flagState(), RecordKeys.of(state.getEnvironment(), state.getFlagKey()),
                serializer.serialize(topics.flagState(), state))).get();
    }

    private RulesetStore startTail(Set<String> environments) throws InterruptedException {
        RulesetStore store = new RulesetStore();
        tail = new RulesetTail(RulesetTail.Settings.of(stack.bootstrapServers(), topics, environments),
                stack.registryClient(), store).start();
        assertThat(tail.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        return store;
    }

    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(condition);
    }

    @Test
    void it_is_caught_up_only_after_reading_what_was_there_and_then_follows_changes() throws Exception {
        send(States.booleanState("production", "a.one", 1));
        send(States.booleanState("production", "a.two", 4));

        RulesetStore store = startTail(Set.of());

        assertThat(store.current().size()).isEqualTo(2);
        FlagState killed = States.booleanState("production", "a.one", 2);
        killed.setKilled(true);
        send(killed);
        await(() -> store.current().flag("production", "a.one").killed());
    }

    @Test
    void a_stale_record_never_moves_a_flag_backwards() throws Exception {
        RulesetStore store = startTail(Set.of());
        send(States.booleanState("production", "a.flag", 5));
        await(() -> store.current().flag("production", "a.flag") != null);

        FlagState stale = States.booleanState("production", "a.flag", 3);
        stale.setEnabled(false);
        send(stale);
        send(States.booleanState("production", "b.marker", 1));
        await(() -> store.current().flag("production", "b.marker") != null);

        assertThat(store.current().flag("production", "a.flag").version()).isEqualTo(5);
        assertThat(store.current().flag("production", "a.flag").enabled()).isTrue();
    }

    @Test
    void undecodable_records_are_skipped_and_counted() throws Exception {
        RulesetStore store = startTail(Set.of());
        producer.send(new ProducerRecord<>(topics.flagState(), "production/bad.bytes", new byte[] {1, 2, 3})).get();
        producer.send(new ProducerRecord<>(topics.flagState(), "no-separator", new byte[] {0, 0, 0, 0, 1})).get();
        send(States.booleanState("production", "good.flag", 1));

        await(() -> store.current().flag("production", "good.flag") != null);
        assertThat(tail.recordsSkipped()).isEqualTo(2);
        assertThat(store.current().flag("production", "bad.bytes")).isNull();
    }

    @Test
    void only_the_configured_environments_are_kept() throws Exception {
        send(States.booleanState("staging", "a.flag", 1));
        send(States.booleanState("production", "a.flag", 1));

        RulesetStore store = startTail(Set.of("production"));

        assertThat(store.current().environments()).containsExactly("production");
    }
}
