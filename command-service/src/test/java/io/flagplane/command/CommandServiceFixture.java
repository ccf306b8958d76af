package io.flagplane.command;

import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.http.TestTokens;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroDeserializer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** One command-service over fresh topics on the shared broker, with tokens, and a way to read what it wrote. */
final class CommandServiceFixture implements AutoCloseable {

    final TestStack stack;
    final TopicNames topics;
    final TestTokens tokens;
    final String transactionalId;
    /** The clock every instance this fixture starts runs on. */
    final Clock clock;
    CommandService service;

    CommandServiceFixture(TestStack stack, String label) {
        this(stack, label, Map.of());
    }

    /** @param extra settings of the first instance (e.g. a short leader session timeout) */
    CommandServiceFixture(TestStack stack, String label, Map<String, String> extra) {
        this(stack, label, extra, Clock.systemUTC());
    }

    /** @param clock what every instance of this fixture runs on unless started with its own: its events' time, its schedules and hold times */
    CommandServiceFixture(TestStack stack, String label, Map<String, String> extra, Clock clock) {
        this.stack = stack;
        this.clock = clock;
        this.topics = stack.newTopics(label);
        this.tokens = TestTokens.create();
        this.transactionalId = TestStack.uniqueName(label + "-writer");
        this.service = start(extra, clock);
    }

    Settings settings(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "command.port", "0",
                "command.host", "127.0.0.1",
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", topics.flagEvents().replace("flag-events", ""),
                "command.transactional.id", transactionalId,
                "command.tokens.file", tokens.file().toString()));
        values.putAll(extra);
        return Settings.of(values);
    }

    CommandService start() {
        return start(Map.of());
    }

    /** Another instance on the same topics and transactional id (a standby, unless {@code extra} says otherwise). */
    CommandService start(Map<String, String> extra) {
        return CommandService.start(CommandServiceConfig.from(settings(extra)), clock);
    }

    /** Another instance on the same topics and transactional id, on {@code clock} (a standby, unless {@code extra} says otherwise). */
    CommandService start(Map<String, String> extra, Clock clock) {
        return CommandService.start(CommandServiceConfig.from(settings(extra)), clock);
    }

    /** Stops the service and starts a new instance on the same topics and transactional id. */
    void restart() {
        service.close();
        service = start();
    }

    String url() {
        return service.url();
    }

    Api admin() {
        return new Api(service.url(), tokens.admin());
    }

    Api api(String token) {
        return new Api(service.url(), token);
    }

    /**
     * Every flag and segment event committed on flag-events, in (partition, offset) order; waits
     * until at least {@code expected}. The environment declarations the service writes at start-up
     * (production, staging) are left out: they are the fixture's setup, not the test's.
     */
    List<FlagEvent> events(int expected) {
        return events(stack, topics, expected);
    }

    /** {@link #events(int)} of any topics on the stack. */
    static List<FlagEvent> events(TestStack stack, TopicNames topics, int expected) {
        AvroDeserializer<FlagEvent> deserializer = new AvroDeserializer<>(stack.registryClient(), FlagEvent.class);
        List<FlagEvent> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(),
                "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.flagEvents()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    FlagEvent event = deserializer.deserialize(r.topic(), r.value());
                    if (!io.flagplane.contract.EnvironmentStateFold.isEnvironmentEvent(event)) {
                        events.add(event);
                    }
                }
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                if (atEnd && events.size() >= expected) {
                    break;
                }
                if (atEnd) {
                    end.putAll(consumer.endOffsets(partitions));
                }
            }
        }
        return events;
    }

    @Override
    public void close() {
        service.close();
    }
}
