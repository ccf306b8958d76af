package io.flagplane.command.leadership;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which command-service instance writes: the one that owns the single partition of the
 * {@code command-leader} topic in a consumer group of every instance. Nothing is ever written to
 * that topic; Kafka's group coordinator is the lease. A process that dies or freezes stops
 * heartbeating and loses the partition after the session timeout; one that stops cleanly leaves
 * the group and hands over at once.
 *
 * <p>The group uses the classic protocol (its session timeout is the client's to choose, within the
 * broker's {@code group.min.session.timeout.ms}) and only the cooperative-sticky assignor, so the
 * partition stays with its owner while standbys come and go: a standby starting never moves the
 * writer.
 *
 * <p>Being elected is not what makes writing safe: the new writer's {@code initTransactions} fences
 * the old one's transactional id, so a writer that does not know yet that it lost (frozen, cut off
 * from the coordinator) can never commit again. The election only decides who should try.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** Told when this instance is elected and when it loses the election. Called on the election's thread; must not block. */
    public interface Candidate {
        void elected();

        void deposed();
    }

    /**
     * @param groupId        one per installation: every instance of one command-service shares it
     * @param sessionTimeout how long a silent active writer keeps the role (the takeover gap, mostly)
     */
    public record Settings(KafkaClientSettings kafka, String topic, String groupId, Duration sessionTimeout) {
        /** Plaintext to {@code bootstrapServers}: tests. */
        public Settings(String bootstrapServers, String topic, String groupId, Duration sessionTimeout) {
            this(KafkaClientSettings.plaintext(bootstrapServers), topic, groupId, sessionTimeout);
        }
    }

    private final Settings settings;
    private final Candidate candidate;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch decided = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean leader;
    private volatile boolean silently;
    private volatile boolean reconfirm;

    private LeaderElection(Settings settings, Candidate candidate) {
        this.settings = settings;
        this.candidate = candidate;
        this.consumer = new KafkaConsumer<>(config(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "command-leader-election");
        this.thread.setDaemon(true);
    }

    /**
     * Joins the election. Fails at once when the leader topic does not exist (an instance that can
     * never be elected would wait as a standby forever).
     */
    public static LeaderElection join(Settings settings, Candidate candidate, Duration timeout) {
        LeaderElection election = new LeaderElection(settings, candidate);
        try {
            // a topic created a moment ago may not be in every broker's metadata yet: look a few times
            long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Duration.ofSeconds(10).toNanos());
            List<PartitionInfo> partitions = election.consumer.partitionsFor(settings.topic(), timeout);
            while ((partitions == null || partitions.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(100);   // metadata has no change notification: look again shortly, until the deadline
                partitions = election.consumer.partitionsFor(settings.topic(), timeout);
            }
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic " + settings.topic() + " does not exist; provision the topics first"
                        + " (bin/flagplane topics)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            election.consumer.close(Duration.ZERO);
            throw new IllegalStateException("interrupted while joining the election", e);
        } catch (RuntimeException e) {
            election.consumer.close(Duration.ZERO);
            throw e;
        }
        election.thread.start();
        return election;
    }

    private static Map<String, Object> config(Settings settings) {
        long session = settings.sessionTimeout().toMillis();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(CooperativeStickyAssignor.class.getName()));
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, session / 3));
        // the election thread only polls; if it ever stops polling, the heartbeat thread leaves the group
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(10_000, session * 2));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(5_000, session));
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupId() + "-election");
        return settings.kafka().applyTo(ClientRole.CONSUMER, config);
    }

    private void run() {
        consumer.subscribe(List.of(settings.topic()), new Listener());
        try {
            while (running) {
                consumer.poll(Duration.ofMillis(200));
                if (reconfirm && leader) {
                    confirm();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("the command-service's leader election failed; this instance stops writing", e);
            lose("the election failed");
        } finally {
            consumer.close(CloseOptions.groupMembershipOperation(silently
                    ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP : CloseOptions.GroupMembershipOperation.DEFAULT)
                    .withTimeout(Duration.ofSeconds(5)));
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // cooperative: called after every rebalance with what this member gained, often nothing
            if (!partitions.isEmpty() && !leader) {
                leader = true;
                LOG.info("elected the active command-service ({} of group {})", partitions, settings.groupId());
                candidate.elected();
            } else if (!leader && decided.getCount() > 0) {
                LOG.info("another instance is the active command-service; this one waits as a standby");
            }
            decided.countDown();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                lose("its partition was revoked");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                lose("it was dropped from the group (no heartbeat within the session timeout)");
            }
        }
    }

    private void lose(String why) {
        if (leader && !silently) {
            leader = false;
            LOG.warn("this command-service lost the election: {}", why);
            candidate.deposed();
        }
    }

    /**
     * The writer was frozen and stepped down: asks the group whether this member still holds the
     * partition. A commit carries the member id and generation, so the coordinator refuses it from
     * a member it has dropped; accepted, the writer is promoted again.
     */
    public void reconfirm() {
        reconfirm = true;
    }

    private void confirm() {
        TopicPartition partition = new TopicPartition(settings.topic(), 0);
        try {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(consumer.position(partition))), Duration.ofSeconds(2));
            reconfirm = false;
            LOG.info("the group confirmed this instance is still the active command-service");
            candidate.elected();
        } catch (CommitFailedException e) {
            reconfirm = false;
            lose("the group no longer counts it as a member: " + e.getMessage());
        } catch (RetriableException | RebalanceInProgressException e) {
            LOG.debug("cannot confirm the election yet: {}", e.toString());
        }
    }

    /** Waits until the first assignment says whether this instance writes; false if that took longer than the timeout. */
    public boolean awaitDecided(Duration timeout) throws InterruptedException {
        return decided.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isLeader() {
        return leader;
    }

    /** Leaves the group, so a standby takes over at once. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Stops taking part without telling the group, as a process that crashed or froze would: the
     * group holds this member's partition until the session timeout passes. The rest of the
     * instance carries on believing it writes. For tests of a takeover and of a zombie writer.
     */
    public void vanish() {
        silently = true;
        stop();
    }

    private void stop() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
