package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.States;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private LiveRuleset live;

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
        if (live != null) {
            live.close();
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

    // ------------------------------------------------------------------ an unexpected failure

    private static final Instant FAILED_AT = Instant.parse("2030-01-01T00:00:00Z");

    /** Throws out of the tail, as a broken store would, for the next batch that reaches it once armed. */
    private final AtomicBoolean breakNextBatch = new AtomicBoolean();

    private RulesetTail.Supervision failingOnce(Duration backoff) {
        return new RulesetTail.Supervision(Clock.fixed(FAILED_AT, ZoneOffset.UTC),
                new RestartBackoff(backoff, backoff, Duration.ofMinutes(1)), batch -> {
                    if (breakNextBatch.compareAndSet(true, false)) {
                        throw new IllegalStateException("injected: the store cannot take this batch");
                    }
                });
    }

    private LiveRuleset startLive(RulesetTail.Supervision supervision, List<LiveRuleset.Status> statuses) throws Exception {
        live = new LiveRuleset(LiveRuleset.Options.of(stack.bootstrapServers(), topics, Set.of()), stack.registryClient(),
                supervision);
        live.onStatusChange(statuses::add);
        live.start();
        assertThat(live.awaitReady(Duration.ofSeconds(30))).isTrue();
        return live;
    }

    @Test
    void a_failed_tail_says_stale_since_it_failed_restarts_applies_later_changes_and_is_current_again() throws Exception {
        send(States.booleanState("production", "a.flag", 1));
        List<LiveRuleset.Status> statuses = new CopyOnWriteArrayList<>();
        LiveRuleset ruleset = startLive(failingOnce(Duration.ofMillis(50)), statuses);
        assertThat(ruleset.status().stale()).isFalse();

        breakNextBatch.set(true);
        FlagState killed = States.booleanState("production", "a.flag", 2);
        killed.setKilled(true);
        send(killed);   // its batch fails on the way to the store
        await(() -> statuses.stream().anyMatch(LiveRuleset.Status::tailFailed));
        LiveRuleset.Status down = statuses.stream().filter(LiveRuleset.Status::tailFailed).findFirst().orElseThrow();
        assertThat(down.stale()).isTrue();
        assertThat(down.staleSince()).as("the instant it failed, on the tail's clock").isEqualTo(FAILED_AT);
        assertThat(down.caughtUp()).isFalse();
        assertThat(down.ready()).as("it still has a ruleset to serve").isTrue();
        assertThat(down.tailRestarts()).isZero();
        assertThat(down.lastTailFailure()).isEqualTo("Unexpected failure while applying flag and segment states;"
                + " details are in the log.");

        send(States.booleanState("production", "b.flag", 1));   // written after the failure
        await(() -> ruleset.current().flag("production", "b.flag") != null);
        await(() -> !ruleset.status().stale());

        LiveRuleset.Status current = ruleset.status();
        assertThat(current.caughtUp()).isTrue();
        assertThat(current.tailFailed()).isFalse();
        assertThat(current.tailRestarts()).isEqualTo(1);
        assertThat(current.lastTailFailure()).as("kept, for whoever asks later").isEqualTo(down.lastTailFailure());
        assertThat(ruleset.current().flag("production", "a.flag").killed())
                .as("the change whose batch failed is re-read from the beginning, not lost").isTrue();
        assertThat(statuses.get(statuses.size() - 1).stale()).as("listeners heard it is current again").isFalse();
    }

    @Test
    void closing_a_tail_that_waits_to_restart_stops_it_at_once() throws Exception {
        List<LiveRuleset.Status> statuses = new CopyOnWriteArrayList<>();
        LiveRuleset ruleset = startLive(failingOnce(Duration.ofHours(1)), statuses);
        breakNextBatch.set(true);
        send(States.booleanState("production", "a.flag", 1));
        await(() -> ruleset.status().tailFailed());

        assertTimeoutPreemptively(Duration.ofSeconds(3), ruleset::close, "close() ends the hour-long wait, and the thread");
        assertThat(ruleset.status().tailRestarts()).isZero();
        live = null;
    }

    @Test
    void a_tail_started_before_its_topics_exist_waits_for_them_and_does_not_fail() throws Exception {
        TopicNames later = TopicNames.withPrefix(TestStack.uniqueName("tail-later") + ".");
        List<LiveRuleset.Status> statuses = new CopyOnWriteArrayList<>();
        live = new LiveRuleset(LiveRuleset.Options.of(stack.bootstrapServers(), later, Set.of()), stack.registryClient(),
                failingOnce(Duration.ofHours(1)));   // a failure would wait an hour: it must not fail at all
        live.onStatusChange(statuses::add);
        live.start();
        assertThat(live.awaitReady(Duration.ofMillis(1_500))).as("no topics, no ruleset").isFalse();

        try (org.apache.kafka.clients.admin.Admin admin = stack.admin()) {
            new io.flagplane.provisioning.TopicProvisioner(admin, Duration.ofSeconds(30)).provision(
                    io.flagplane.provisioning.FlagplaneTopics.flagTopics(later,
                            new io.flagplane.provisioning.ProvisioningSettings(3, (short) 1, 1)));
        }

        assertThat(live.awaitReady(Duration.ofSeconds(30))).isTrue();
        assertThat(live.status().tailRestarts()).isZero();
        assertThat(statuses).noneMatch(LiveRuleset.Status::tailFailed);
    }
}
