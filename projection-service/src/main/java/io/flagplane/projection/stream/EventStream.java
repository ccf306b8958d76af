package io.flagplane.projection.stream;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.DefinitionReplaced;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagNotice;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetadataChanged;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanUpdated;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.ChangeRequestStateFold;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.contract.ScheduledChangeFold;
import io.flagplane.contract.SegmentStateFold;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.plans.EventSummaries;
import io.flagplane.projection.query.QueryException;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live event stream for SREs: every change to every flag and segment, as server-sent events,
 * filtered by environment, flag, tag and event type. Each connection reads {@code flag-events}
 * itself (every partition, committed events only, no consumer group), so it sees changes as soon
 * as they are committed, whichever instance folds them. Each event's id is the stream's position
 * ({@link StreamPosition}); reconnecting with {@code Last-Event-ID} resumes after it. Heartbeats
 * (event {@code heartbeat}) carry the position too, so a filtered stream that has been quiet
 * resumes from where it was, not from its last match.
 *
 * <p>Beside the changes it shows notices from {@code flag-notices} (event {@code notice}: a flag
 * became potentially stale), under the same filters; the event id then also holds the position on
 * that topic, after a {@code ~}.
 *
 * <p>Rollout-plan and scheduled-change events carry a {@code summary} in words ("plan
 * seed-001-rollout: step beta started (2 of 4)"); a plan's steps are named from its definition, as
 * the stream saw it created or edited, else as the projection holds it now ({@link PlanDefinitions}).
 *
 * <p>A tag filter looks at the flag's tags as the stream knows them: read from {@code flag-state}
 * when the stream opens, then kept current from the events it reads. Events replayed from before
 * the stream opened are matched against those (current) tags.
 */
public final class EventStream implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a client asked for; {@code environments} is what its token may see. */
    public record Filter(String environment, String flag, String tag, String type, Predicate<String> environments) {
    }

    /** A plan's definition as the projection holds it now, for naming steps; empty when it cannot say. */
    @FunctionalInterface
    public interface PlanDefinitions {
        java.util.Optional<RolloutPlanDefinition> of(PlanRef plan);

        PlanDefinitions NONE = plan -> java.util.Optional.empty();
    }

    /** Where to start: after {@code lastEventId}, else from {@code since}, else from now. */
    public record Start(String lastEventId, Instant since) {
    }

    private final KafkaClientSettings kafka;
    private final TopicNames topics;
    private final SchemaRegistryClient registry;
    private final Duration heartbeat;
    private final SseConnections connections;
    private final PlanDefinitions plans;

    public EventStream(KafkaClientSettings kafka, TopicNames topics, SchemaRegistryClient registry, Duration heartbeat,
                       int maxConnections) {
        this(kafka, topics, registry, heartbeat, maxConnections, PlanDefinitions.NONE);
    }

    public EventStream(KafkaClientSettings kafka, TopicNames topics, SchemaRegistryClient registry, Duration heartbeat,
                       int maxConnections, PlanDefinitions plans) {
        this.plans = plans;
        this.kafka = kafka;
        this.topics = topics;
        this.registry = registry;
        this.heartbeat = heartbeat;
        this.connections = new SseConnections(LOG, "event stream", "event streams", "event-stream", maxConnections);
    }

    public int openConnections() {
        return connections.openConnections();
    }

    /** Checks what can be checked before the response starts: capacity and the resume position. */
    public void admit(Start start) {
        connections.admit();
        if (start.lastEventId() != null) {
            Resume.decode(start.lastEventId(), partitionCount(topics.flagEvents()), partitionCount(topics.flagNotices()));
        }
    }

    private int partitionCount(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = newConsumer()) {
            return consumer.partitionsFor(topic, Duration.ofSeconds(5)).size();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw QueryException.unavailable("Kafka is unreachable; the event stream cannot start");
        }
    }

    /**
     * Where a stream resumes: its position on {@code flag-events}, and after a {@code ~} its position
     * on {@code flag-notices}. An id without the second part (from before notices) resumes the
     * changes exactly and the notices from now.
     */
    record Resume(StreamPosition events, StreamPosition notices) {

        static Resume decode(String lastEventId, int eventPartitions, int noticePartitions) {
            int tilde = lastEventId.indexOf('~');
            StreamPosition events = StreamPosition.decode(tilde < 0 ? lastEventId : lastEventId.substring(0, tilde), eventPartitions);
            StreamPosition notices = tilde < 0 ? null : StreamPosition.decode(lastEventId.substring(tilde + 1), noticePartitions);
            return new Resume(events, notices);
        }

        String encode() {
            return events.encode() + "~" + notices.encode();
        }
    }

    /** Streams to {@code client} on a thread of its own until the client goes away. */
    public void open(SseClient client, Filter filter, Start start) {
        connections.start(client, () -> run(client, filter, start));
    }

    /** Ends every open stream (before the HTTP server stops under them). */
    @Override
    public void close() {
        connections.close();
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        kafka.applyTo(ClientRole.CONSUMER, config);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void run(SseClient client, Filter filter, Start start) {
        AvroDeserializer<FlagEvent> events = new AvroDeserializer<>(registry, FlagEvent.class);
        AvroDeserializer<FlagNotice> notices = new AvroDeserializer<>(registry, FlagNotice.class);
        Map<String, List<String>> tags = filter.tag() == null ? Map.of() : currentTags();
        Map<String, RolloutPlanDefinition> definitions = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = newConsumer()) {
            List<TopicPartition> eventPartitions = partitions(consumer, topics.flagEvents());
            List<TopicPartition> noticePartitions = partitions(consumer, topics.flagNotices());
            List<TopicPartition> all = new ArrayList<>(eventPartitions);
            all.addAll(noticePartitions);
            consumer.assign(all);
            Resume resume = start.lastEventId() == null ? null
                    : Resume.decode(start.lastEventId(), eventPartitions.size(), noticePartitions.size());
            Resume position = new Resume(startPosition(consumer, eventPartitions, start, resume == null ? null : resume.events()),
                    startPosition(consumer, noticePartitions, start, resume == null ? null : resume.notices()));
            client.sendComment("flagplane event stream; position " + position.encode());
            SseConnections.Heartbeat nextHeartbeat = new SseConnections.Heartbeat(heartbeat);
            while (!client.terminated() && !connections.closed()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    boolean notice = record.topic().equals(topics.flagNotices());
                    (notice ? position.notices() : position.events()).advance(record.partition(), record.offset());
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        if (notice) {
                            FlagNotice read = notices.deserialize(record.topic(), record.value());
                            if (matches(filter, read, tags.getOrDefault(record.key(), List.of()))) {
                                client.sendEvent("notice", render(read), position.encode());
                            }
                            continue;
                        }
                        FlagEvent event = events.deserialize(record.topic(), record.value());
                        if (filter.tag() != null) {
                            rememberTags(tags, record.key(), event);
                        }
                        rememberPlan(definitions, record.key(), event);
                        if (matches(filter, event, tags.getOrDefault(record.key(), List.of()))) {
                            client.sendEvent("change", render(event, planDefinition(definitions, record.key(), event)),
                                    position.encode());
                        }
                    } catch (WireFormatException e) {
                        // the projection counts and dead-letters undecodable events; the stream just moves on
                    }
                }
                // offsets past the last record (transaction markers) still count as read
                for (TopicPartition partition : all) {
                    StreamPosition on = partition.topic().equals(topics.flagNotices()) ? position.notices() : position.events();
                    on.set(partition.partition(), Math.max(on.next(partition.partition()), consumer.position(partition)));
                }
                if (nextHeartbeat.due()) {
                    client.sendEvent("heartbeat", "{\"at\":\"" + Instant.now() + "\"}", position.encode());
                }
            }
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).sorted((a, b) -> a.partition() - b.partition())
                .toList();
    }

    /** @param resumed where a reconnecting client was on these partitions; null to start from {@code since} or now */
    private StreamPosition startPosition(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, Start start,
                                         StreamPosition resumed) {
        StreamPosition position;
        if (resumed != null) {
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, resumed.next(partition.partition()));
            }
            return resumed;
        }
        position = new StreamPosition(partitions.size());
        if (start.since() != null && start.lastEventId() == null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            long since = Math.max(0, start.since().toEpochMilli());   // Kafka refuses a negative timestamp
            partitions.forEach(p -> query.put(p, since));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(10));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp at = found.get(partition);
                long offset = at == null ? end.get(partition) : at.offset();
                consumer.seek(partition, offset);
                position.set(partition.partition(), offset);
            }
            return position;
        }
        consumer.seekToEnd(partitions);
        for (TopicPartition partition : partitions) {
            position.set(partition.partition(), consumer.position(partition, Duration.ofSeconds(10)));
        }
        return position;
    }

    private Map<String, List<String>> currentTags() {
        AvroDeserializer<FlagState> states = new AvroDeserializer<>(registry, FlagState.class);
        Map<String, List<String>> tags = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = newConsumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.flagState(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() == null) {
                        tags.remove(record.key());
                        continue;
                    }
                    try {
                        tags.put(record.key(), new ArrayList<>(states.deserialize(record.topic(), record.value())
                                .getDefinition().getTags()));
                    } catch (WireFormatException e) {
                        // skipped, as every reader of flag-state does
                    }
                }
            }
        }
        return tags;
    }

    private static void rememberTags(Map<String, List<String>> tags, String key, FlagEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof FlagCreated created) {
            tags.put(key, created.getDefinition().getTags());
        } else if (payload instanceof DefinitionReplaced replaced) {
            tags.put(key, replaced.getDefinition().getTags());
        } else if (payload instanceof MetadataChanged metadata) {
            tags.put(key, metadata.getTags());
        }
    }

    /** A plan's definition as this stream last saw it created or edited (bounded: a stream sees few plans). */
    private static void rememberPlan(Map<String, RolloutPlanDefinition> definitions, String key, FlagEvent event) {
        Object payload = event.getPayload();
        RolloutPlanDefinition definition = payload instanceof PlanCreated created ? created.getDefinition()
                : payload instanceof PlanUpdated updated ? updated.getDefinition() : null;
        if (definition != null) {
            if (definitions.size() >= 1_000) {
                definitions.clear();
            }
            definitions.put(key, definition);
        }
    }

    /** The definition that names a plan event's steps: as this stream saw it, else as the projection holds it (then kept). */
    private RolloutPlanDefinition planDefinition(Map<String, RolloutPlanDefinition> definitions, String key, FlagEvent event) {
        if (!RolloutPlanFold.isPlanEvent(event)) {
            return null;
        }
        RolloutPlanDefinition known = definitions.get(key);
        if (known != null) {
            return known;
        }
        try {
            RolloutPlanDefinition found = plans.of(new PlanRef(event.getEnvironment(), event.getFlagKey())).orElse(null);
            if (found != null && definitions.size() < 1_000) {
                definitions.put(key, found);
            }
            return found;
        } catch (RuntimeException e) {
            return null;   // the steps are named by number instead
        }
    }

    static boolean matches(Filter filter, FlagEvent event, List<String> tags) {
        boolean segment = SegmentStateFold.isSegmentEvent(event) || EnvironmentStateFold.isEnvironmentEvent(event)
                || ChangeRequestStateFold.isChangeRequestEvent(event) || RolloutPlanFold.isPlanEvent(event)
                || ScheduledChangeFold.isScheduledChangeEvent(event);
        return filter.environments().test(event.getEnvironment())
                && (filter.environment() == null || filter.environment().equals(event.getEnvironment()))
                && (filter.flag() == null || (!segment && filter.flag().equals(event.getFlagKey())))
                && (filter.type() == null || filter.type().equalsIgnoreCase(FlagStateFold.typeOf(event)))
                && (filter.tag() == null || (!segment && tags.contains(filter.tag())));
    }

    static boolean matches(Filter filter, FlagNotice notice, List<String> tags) {
        return filter.environments().test(notice.getEnvironment())
                && (filter.environment() == null || filter.environment().equals(notice.getEnvironment()))
                && (filter.flag() == null || filter.flag().equals(notice.getFlagKey()))
                && (filter.type() == null || filter.type().equalsIgnoreCase(notice.getType()))
                && (filter.tag() == null || tags.contains(filter.tag()));
    }

    /** A notice, shaped like a change so that a console lists both in one feed; the actor is the system itself. */
    static String render(FlagNotice notice) {
        ObjectNode node = JSON.createObjectNode();
        node.put("environment", notice.getEnvironment());
        node.put("key", notice.getFlagKey());
        node.put("kind", "flag");
        node.put("version", notice.getVersion());
        node.put("type", notice.getType());
        node.put("occurredAt", notice.getNoticedAt().toString());
        node.putObject("actor").put("id", "SYSTEM").put("kind", "SYSTEM");
        node.put("reason", notice.getReason());
        node.put("noticeId", notice.getNoticeId());
        return node.toString();
    }

    static String render(FlagEvent event) {
        return render(event, (RolloutPlanDefinition) null);
    }

    /** @param plan the definition of the plan a plan event belongs to, naming its steps (null: by number) */
    static String render(FlagEvent event, RolloutPlanDefinition plan) {
        boolean segment = SegmentStateFold.isSegmentEvent(event);
        boolean environment = EnvironmentStateFold.isEnvironmentEvent(event);
        ObjectNode node = render(event, segment, environment);
        String summary = EventSummaries.of(event, plan);
        if (summary != null) {
            node.put("summary", summary);
        }
        if (event.getPolicyBypassed()) {
            node.put("policyBypassed", true);
        }
        return node.toString();
    }

    /** The record key an event belongs under, so its kind is named the way history and audit name it. */
    private static String eventKey(FlagEvent event, boolean segment, boolean environment) {
        if (environment) {
            return RecordKeys.ofEnvironmentEvents(event.getEnvironment());
        }
        if (ChangeRequestStateFold.isChangeRequestEvent(event)) {
            return RecordKeys.ofChangeRequestEvents(event.getEnvironment(), event.getFlagKey());
        }
        if (RolloutPlanFold.isPlanEvent(event)) {
            return RecordKeys.ofPlanEvents(event.getEnvironment(), event.getFlagKey());
        }
        if (ScheduledChangeFold.isScheduledChangeEvent(event)) {
            return RecordKeys.ofScheduleEvents(event.getEnvironment(), event.getFlagKey());
        }
        return segment ? RecordKeys.ofSegmentEvents(event.getEnvironment(), event.getFlagKey())
                : RecordKeys.of(event.getEnvironment(), event.getFlagKey());
    }

    private static ObjectNode render(FlagEvent event, boolean segment, boolean environment) {
        ObjectNode node = JSON.createObjectNode();
        node.put("environment", event.getEnvironment());
        node.put("key", event.getFlagKey());
        node.put("kind", AggregateRef.ofEventKey(eventKey(event, segment, environment)).noun());
        node.put("version", event.getVersion());
        node.put("type", FlagStateFold.typeOf(event));
        node.put("occurredAt", event.getOccurredAt().toString());
        node.putObject("actor").put("id", event.getActor().getId()).put("kind", event.getActor().getKind().name());
        node.put("reason", event.getReason());
        node.put("changeSetId", event.getChangeSetId());
        node.put("eventId", event.getEventId());
        return node;
    }
}
