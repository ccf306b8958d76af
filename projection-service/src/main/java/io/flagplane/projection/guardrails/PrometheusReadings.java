package io.flagplane.projection.guardrails;

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
 * What a PROMETHEUS guardrail's evaluation reads: the latest result for a (server, query). The
 * evaluator runs on a Kafka Streams thread, which also folds flag events: it must never wait on a
 * remote server. {@link #polled} reads every wanted query on a thread of its own once per interval
 * and answers from what it last read; {@link #direct} reads on the caller's thread (tests with a
 * reader that answers at once).
 */
public interface PrometheusReadings extends AutoCloseable {

    /** The latest result for the query; asking is what makes a polled source read it. */
    PrometheusReader.Result latest(String url, String query);

    @Override
    default void close() {
    }

    /** Reads on the caller's thread, every time. */
    static PrometheusReadings direct(PrometheusReader reader, Duration timeout) {
        return (url, query) -> reader.read(url, query, timeout);
    }

    /**
     * Reads each query asked for in the last three intervals, once per {@code interval}, on a daemon
     * thread; a result older than three intervals is not used (the server stopped answering in time).
     */
    static PrometheusReadings polled(PrometheusReader reader, Duration interval, Duration timeout, Clock clock) {
        return new Polled(reader, interval, timeout, clock);
    }

    /** See {@link #polled}. */
    final class Polled implements PrometheusReadings {

        private static final Logger LOG = LoggerFactory.getLogger(Polled.class);

        private record Query(String url, String query) {
        }

        private record Held(PrometheusReader.Result result, long readAtMs) {
        }

        private final PrometheusReader reader;
        private final Duration timeout;
        private final Clock clock;
        private final long staleMs;
        private final Map<Query, Long> wanted = new ConcurrentHashMap<>();
        private final Map<Query, Held> latest = new ConcurrentHashMap<>();
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "guardrail-prometheus");
            t.setDaemon(true);
            return t;
        });

        Polled(PrometheusReader reader, Duration interval, Duration timeout, Clock clock) {
            this.reader = reader;
            this.timeout = timeout;
            this.clock = clock;
            this.staleMs = 3 * interval.toMillis();
            thread.scheduleWithFixedDelay(this::readAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public PrometheusReader.Result latest(String url, String query) {
            Query q = new Query(url, query);
            long now = clock.millis();
            boolean fresh = wanted.put(q, now) == null;
            if (fresh) {
                thread.execute(() -> read(q));   // the first time: read now rather than at the next pass
            }
            Held held = latest.get(q);
            if (held == null) {
                return PrometheusReader.Result.failed("no reading from Prometheus yet");
            }
            if (now - held.readAtMs() > staleMs) {
                return PrometheusReader.Result.failed("no reading from Prometheus for " + Figures.elapsed(now - held.readAtMs()));
            }
            return held.result();
        }

        private void readAll() {
            long now = clock.millis();
            wanted.entrySet().removeIf(e -> now - e.getValue() > staleMs);
            latest.keySet().retainAll(wanted.keySet());
            wanted.keySet().forEach(this::read);
        }

        private void read(Query q) {
            try {
                latest.put(q, new Held(reader.read(q.url(), q.query(), timeout), clock.millis()));
            } catch (RuntimeException e) {
                LOG.warn("reading {} from {} failed: {}", q.query(), q.url(), e.toString());
                latest.put(q, new Held(PrometheusReader.Result.failed("reading Prometheus failed: " + e.getClass().getSimpleName()),
                        clock.millis()));
            }
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }
}
