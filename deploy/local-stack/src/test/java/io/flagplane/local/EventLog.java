package io.flagplane.local;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/**
 * How far {@code flag-events} reaches once every transaction on it has finished: the end offsets
 * summed over its partitions, read when the read-committed end (the last stable offset) has
 * caught up with the log end on every partition. Only the command-service writes there; it
 * answers once its transaction commits, but the commit markers land on the partitions a moment
 * later, hence the wait. An unchanged sum across a request means the request wrote nothing.
 */
final class EventLog implements AutoCloseable {

    private final Admin admin;
    private final List<TopicPartition> partitions;

    EventLog(String bootstrapServers, String topic) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        try {
            int count = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
            partitions = java.util.stream.IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe " + topic, e);
        }
    }

    /** The sum of the end offsets once no transaction is open (markers included, so it only grows). */
    long end() {
        long[] committed = new long[1];
        Awaitility.await("no open transaction on " + partitions).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2)).until(() -> {
                    committed[0] = sum(IsolationLevel.READ_COMMITTED);
                    return committed[0] == sum(IsolationLevel.READ_UNCOMMITTED);
                });
        return committed[0];
    }

    private long sum(IsolationLevel isolation) {
        Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(Function.identity(),
                p -> OffsetSpec.latest()));
        try {
            return admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all()
                    .get(30, TimeUnit.SECONDS).values().stream().mapToLong(info -> info.offset()).sum();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + partitions, e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
