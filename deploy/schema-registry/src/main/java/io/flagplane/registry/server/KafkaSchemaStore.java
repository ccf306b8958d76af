package io.flagplane.registry.server;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.registry.RegistryRecord;
import io.flagplane.registry.SchemaRegistryException;
import io.flagplane.registry.SchemaRegistryException.ErrorCodes;
import io.flagplane.registry.SchemaRegistryException.Kind;
import io.flagplane.registry.SchemaRegistryState;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state, kept in a single-partition compacted topic and rebuilt from it.
 *
 * <p>Every change goes through the log: a write is produced (acks=all), and answered only
 * after the tailing thread has read it back and applied it. So the state always equals the
 * topic read in order, a restart rebuilds it exactly, and the next registration sees the id
 * the previous one took. Writes are serialized; one registry instance should write to a topic
 * at a time (as with Confluent's single primary).
 */
final class KafkaSchemaStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

    private final String topic;
    private final Duration timeout;
    private final SchemaRegistryState state = new SchemaRegistryState();
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread tail;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition applied = lock.newCondition();
    private final Object writes = new Object();
    private final AtomicLong undecodable = new AtomicLong();
    private long nextOffset;
    private volatile boolean running = true;
    private boolean tailStarted;
    private volatile RuntimeException tailFailure;

    KafkaSchemaStore(KafkaClientSettings kafka, String topic, Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(kafka.applyTo(ClientRole.PRODUCER, new HashMap<>(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 2))),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(kafka.applyTo(ClientRole.CONSUMER, new HashMap<>(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.tail = new Thread(this::tailLoop, "schema-registry-tail");
        this.tail.setDaemon(true);
    }

    /** Reads the topic to its end, then keeps tailing it in the background. */
    void start() {
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(Set.of(partition));
        consumer.seekToBeginning(Set.of(partition));
        long end = consumer.endOffsets(Set.of(partition), timeout).get(partition);
        long deadline = System.nanoTime() + timeout.multipliedBy(6).toNanos();
        while (consumer.position(partition, timeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the schema topic " + topic + " to its end (" + end + ")");
            }
            applyAll(consumer.poll(Duration.ofMillis(100)).records(partition));
        }
        LOG.info("schema registry state rebuilt from {}: {} subjects, highest id {}", topic,
                read(s -> s.subjects().size()), read(SchemaRegistryState::maxId));
        tail.start();
        tailStarted = true;
    }

    private void tailLoop() {
        TopicPartition partition = new TopicPartition(topic, 0);
        try {
            while (running) {
                applyAll(consumer.poll(Duration.ofMillis(200)).records(partition));
            }
        } catch (WakeupException e) {
            if (running) {
                tailFailure = new IllegalStateException("schema topic tail woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("stopped reading the schema topic {}; registrations will fail until restart", topic, e);
            tailFailure = e;
        } finally {
            consumer.close();
        }
    }

    private void applyAll(List<ConsumerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                try {
                    RegistryRecordCodec.decode(record.key(), record.value()).ifPresent(state::apply);
                } catch (IOException | SchemaRegistryException e) {
                    undecodable.incrementAndGet();
                    LOG.warn("skipping undecodable record at {}-{}@{}: {}", record.topic(), record.partition(),
                            record.offset(), e.getMessage());
                }
                nextOffset = record.offset() + 1;
            }
            applied.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a read against the current state. */
    <T> T read(Function<SchemaRegistryState, T> query) {
        lock.lock();
        try {
            return query.apply(state);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decides a change against the current state, stores it, and returns once it is applied.
     * {@code decide} returns the record to store, or null when nothing needs storing.
     */
    <T> T write(Function<SchemaRegistryState, Decision<T>> decide) {
        synchronized (writes) {
            Decision<T> decision = read(decide);
            if (decision.record() == null) {
                return decision.answer();
            }
            RegistryRecordCodec.Encoded encoded = RegistryRecordCodec.encode(decision.record());
            long offset;
            try {
                RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, 0, encoded.key(), encoded.value()))
                        .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
                offset = metadata.offset();
            } catch (ExecutionException | TimeoutException e) {
                throw storeError("cannot store the change in " + topic + ": " + (e.getCause() == null ? e : e.getCause()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw storeError("interrupted while storing the change", e);
            }
            awaitApplied(offset);
            return decision.answer();
        }
    }

    /** What a write decided: the record to store (or null) and the answer to give. */
    record Decision<T>(RegistryRecord record, T answer) {
    }

    private void awaitApplied(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (nextOffset <= offset) {
                if (tailFailure != null) {
                    throw storeError("the schema topic is no longer read: " + tailFailure.getMessage(), tailFailure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw storeError("the change was stored but not read back within " + timeout, null);
                }
                applied.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeError("interrupted while waiting for the change to be applied", e);
        } finally {
            lock.unlock();
        }
    }

    private static SchemaRegistryException storeError(String message, Throwable cause) {
        return new SchemaRegistryException(Kind.UNAVAILABLE, 500, ErrorCodes.STORE_ERROR, message, cause);
    }

    long undecodableRecords() {
        return undecodable.get();
    }

    @Override
    public void close() {
        running = false;
        if (tailStarted) {
            consumer.wakeup();
            try {
                tail.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
