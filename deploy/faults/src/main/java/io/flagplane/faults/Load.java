package io.flagplane.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Commands at a fixed rate while a fault happens: each creates a new flag in the run's own
 * environment under a unique Idempotency-Key, so each acknowledged command must be exactly one
 * FlagCreated event carrying that key. A command that is not answered with a 2xx is retried with
 * the same key (on the other command-service when this one refuses or is gone) until it is
 * acknowledged or {@code retryFor} passes, as a careful client would; an answer lost in a crash
 * then comes back as the first answer replayed.
 */
final class Load {

    /** Where an acknowledged command says its event is, and when it was acknowledged. */
    record Ack(String key, int partition, long offset, long version, boolean replayed, int attempts, long atNanos,
               String url) {
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    final String environment;
    final String prefix;
    private final Http http;
    private final List<String> urls;
    private final double rate;
    private final Duration retryFor;
    private final AtomicInteger current = new AtomicInteger();
    final Map<String, Ack> acked = new ConcurrentHashMap<>();
    /** Keys given up on (never acknowledged): their outcome is unknown, so they may be found once or not at all. */
    final Map<String, String> unknown = new ConcurrentHashMap<>();
    /** Final refusals (4xx): must not be on the log. */
    final Map<String, String> refused = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> failedAttempts = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Ack> ackOrder = new ConcurrentLinkedQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running;
    private Thread pacer;
    private ExecutorService workers;

    Load(Http http, List<String> commandUrls, String environment, double rate, Duration retryFor) {
        this.http = http;
        this.urls = commandUrls;
        this.environment = environment;
        this.prefix = environment + "-";
        this.rate = rate;
        this.retryFor = retryFor;
    }

    long sent() {
        return sent.get();
    }

    void start() {
        running = true;
        workers = Executors.newFixedThreadPool(48, r -> {
            Thread t = new Thread(r, "load");
            t.setDaemon(true);
            return t;
        });
        long interval = (long) (1e9 / rate);
        long first = System.nanoTime();
        pacer = new Thread(() -> {
            for (long seq = 0; running; seq++) {
                long wait;
                while (running && (wait = first + seq * interval - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (!running) {
                    break;
                }
                long n = seq;
                sent.incrementAndGet();
                workers.execute(() -> send(prefix + n, "load.n" + n));
            }
        }, "load-pacer");
        pacer.start();
    }

    /** Stops sending and waits until every command sent was acknowledged, refused or given up on. */
    void stop() throws InterruptedException {
        running = false;
        pacer.join();
        workers.shutdown();
        if (!workers.awaitTermination(retryFor.toSeconds() + 30, TimeUnit.SECONDS)) {
            workers.shutdownNow();
        }
    }

    private void send(String key, String flag) {
        String body = "{\"key\":\"" + flag + "\",\"type\":\"boolean\",\"reason\":\"fault suite\"}";
        long deadline = System.nanoTime() + retryFor.toNanos();
        for (int attempt = 1; ; attempt++) {
            int which = current.get();
            String url = urls.get(which);
            Http.Response r = http.post(url + "/api/v1/environments/" + environment + "/flags", body, key, REQUEST_TIMEOUT);
            if (r.ok()) {
                JsonNode json = r.json();
                long now = System.nanoTime();
                Ack ack = new Ack(key, json.path("partition").asInt(-1), json.path("offset").asLong(-1),
                        json.path("version").asLong(-1), r.replayed(), attempt, now, url);
                acked.put(key, ack);
                ackOrder.add(ack);
                ackTimes.add(now);
                return;
            }
            boolean retryable = r.status() == 0 || r.status() == 503 || r.status() == 429 || r.status() >= 500;
            if (!retryable) {
                refused.put(key, r.status() + " " + r.body());
                return;
            }
            failedAttempts.computeIfAbsent(r.status() == 0 ? r.body() : "HTTP " + r.status() + " " + errorCode(r),
                    k -> new AtomicLong()).incrementAndGet();
            if (System.nanoTime() > deadline) {
                unknown.put(key, r.status() + " " + r.body());
                return;
            }
            // this one refuses or is gone: the other may be the writer now
            current.compareAndSet(which, 1 - which);
            try {
                // a growing pause before retrying, as a real client backs off: during a takeover
                // neither instance may answer yet, and a tight retry loop would only add load
                Thread.sleep(Math.min(500, 25L * attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unknown.put(key, "interrupted");
                return;
            }
        }
    }

    private static String errorCode(Http.Response r) {
        return r.json().path("code").asText(r.json().path("error").path("code").asText(""));
    }

    /** The first acknowledgement at or after a moment (System.nanoTime), or -1. */
    long firstAckAfter(long nanos) {
        return ackTimes.stream().filter(t -> t >= nanos).mapToLong(Long::longValue).min().orElse(-1);
    }

    /** The first acknowledgement from one command-service at or after a moment, or -1. */
    long firstAckAfter(long nanos, String url) {
        return ackOrder.stream().filter(a -> a.atNanos() >= nanos && a.url().equals(url)).mapToLong(Ack::atNanos)
                .min().orElse(-1);
    }

    /** The longest time without any acknowledgement between two moments, in ms. */
    double longestSilenceMs(long from, long to) {
        long[] times = ackTimes.stream().mapToLong(Long::longValue).filter(t -> t >= from && t <= to).sorted().toArray();
        long prev = from;
        long longest = 0;
        for (long t : times) {
            longest = Math.max(longest, t - prev);
            prev = t;
        }
        longest = Math.max(longest, to - prev);
        return longest / 1e6;
    }
}
