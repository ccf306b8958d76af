package io.flagplane.projection;

import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.projection.http.ProjectionHttpApi;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection-service process: runs the projection topology on Kafka Streams and serves
 * status over HTTP.
 *
 * <p>Processing guarantee: at-least-once, reading only committed events. A reprocessed event
 * after a crash is harmless because the fold is version-gated (it changes nothing and writes
 * nothing); and at-least-once keeps a kill's path to the edge near 10 ms, where exactly-once
 * would add the transaction commit interval.
 */
public final class ProjectionService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionService.class);

    private final KafkaStreams streams;
    private final Javalin http;
    private final ProjectionMetrics metrics;
    private final CountDownLatch running;

    private ProjectionService(KafkaStreams streams, Javalin http, ProjectionMetrics metrics, CountDownLatch running) {
        this.streams = streams;
        this.http = http;
        this.metrics = metrics;
        this.running = running;
    }

    public static ProjectionService start(ProjectionConfig config) {
        ProjectionMetrics metrics = new ProjectionMetrics();
        var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        Properties properties = streamsProperties(config);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(properties)));
        FlagProjectionTopology.build(builder, config.topics(), registry, metrics);
        KafkaStreams streams = new KafkaStreams(builder.build(), properties);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("projection thread failed; replacing it and resuming from the last commit", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            LOG.info("projection {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        Javalin http = ProjectionHttpApi.create(streams, metrics).start(config.host(), config.port());
        LOG.info("projection-service folding {} into {} and serving port {}", config.topics().flagEvents(),
                config.topics().flagState(), http.port());
        return new ProjectionService(streams, http, metrics, running);
    }

    static Properties streamsProperties(ProjectionConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.POLL_MS_CONFIG, 10);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // the Kafka 5.0 default, recommended now (the constant is deprecated until then); we have no global stores
        p.put("processing.exception.handler.global.enabled", true);
        // Streams sets linger.ms=100 on its producer; a kill must not wait for a batch to fill
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        // never fold an event of an aborted change set
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        return p;
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until the topology has first reached RUNNING (its tasks assigned and restored). */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ProjectionMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        http.stop();
        // leave the group so that a restarted instance is assigned at once, not after the session timeout
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }

    public static void main(String[] args) {
        ProjectionService service = start(ProjectionConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "projection-shutdown"));
    }
}
