package io.flagplane.projection.guardrails;

import io.flagplane.projection.guardrails.PrometheusReader.Problem;
import io.flagplane.projection.guardrails.PrometheusReader.Reading;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a PROMETHEUS guardrail's evaluation reads: the latest reading of a (server, query). The
 * evaluator runs on a Kafka Streams thread, which also folds flag events: it must never wait on a
 * remote server. {@link #polled} reads every wanted query on a thread of its own once per interval
 * (through a {@link PrometheusReader}, e.g. {@link PrometheusSource}) and answers from what it last
 * read; {@link #direct} reads on the caller's thread (tests with a reader that answers at once).
 * Queries are read at Prometheus' own now: the projection's clock places event-time windows, not a
 * server's.
 */
public interface PrometheusReadings extends AutoCloseable {

    /** The reader used until a real one is plugged in: every read says so. */
    PrometheusReader NOT_CONFIGURED = (url, query, at) -> new Reading.Failed(Problem.UNREACHABLE, "Prometheus source not configured");

    /** The latest reading of the query; asking is what makes a polled source read it. */
    Reading latest(String url, String query);

    @Override
    default void close() {
    }

    /** Reads on the caller's thread, every time. */
    static PrometheusReadings direct(PrometheusReader reader) {
        return (url, query) -> reader.read(url, query, null);
    }

    /**
     * Reads each query asked for in the last three intervals, once per {@code interval}, on a daemon
     * thread; a reading older than three intervals is not used (the server stopped answering in time).
     */
    static PrometheusReadings polled(PrometheusReader reader, Duration interval, Clock clock) {
        return new Polled(reader, interval, clock);
    }

    /** See {@link #polled}. */
    final class Polled implements PrometheusReadings {

        private static final Logger LOG = LoggerFactory.getLogger(Polled.class);

        private record Query(String url, String query) {
        }

        private record Held(Reading reading, long readAtMs) {
        }

        private final PrometheusReader reader;
        private final Clock clock;
        private final long staleMs;
        private final Map<Query, Long> wanted = new ConcurrentHashMap<>();
        private final Map<Query, Held> latest = new ConcurrentHashMap<>();
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "guardrail-prometheus");
            t.setDaemon(true);
            return t;
        });

        Polled(PrometheusReader reader, Duration interval, Clock clock) {
            this.reader = reader;
            this.clock = clock;
            this.staleMs = 3 * interval.toMillis();
            thread.scheduleWithFixedDelay(this::readAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public Reading latest(String url, String query) {
            Query q = new Query(url, query);
            long now = clock.millis();
            if (wanted.put(q, now) == null) {
                thread.execute(() -> read(q));   // the first time: read now rather than at the next pass
            }
            Held held = latest.get(q);
            if (held == null) {
                return new Reading.Failed(Problem.TIMEOUT, "no reading from Prometheus yet");
            }
            if (now - held.readAtMs() > staleMs) {
                return new Reading.Failed(Problem.TIMEOUT, "no reading from Prometheus for " + Figures.elapsed(now - held.readAtMs()));
            }
            return held.reading();
        }

        private void readAll() {
            long now = clock.millis();
            wanted.entrySet().removeIf(e -> now - e.getValue() > staleMs);
            latest.keySet().retainAll(wanted.keySet());
            wanted.keySet().forEach(this::read);
        }

        private void read(Query q) {
            Reading reading;
            try {
                reading = reader.read(q.url(), q.query(), null);
            } catch (RuntimeException e) {   // a reader must not throw; one that does is not allowed to stop the others
                LOG.warn("reading {} from {} failed: {}", q.query(), q.url(), e.toString());
                reading = new Reading.Failed(Problem.UNREACHABLE, "reading Prometheus failed (" + e.getClass().getSimpleName() + ")");
            }
            latest.put(q, new Held(reading, clock.millis()));
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }
}
