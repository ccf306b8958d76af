package io.flagplane.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Durable commands against a running command-service over real HTTP. Two modes:
 * <ul>
 *   <li><b>saturation</b> ({@code --rate 0}): {@code --concurrency} closed-loop clients send as
 *       fast as answers come back; reports durable commands per second;</li>
 *   <li><b>fixed rate</b> ({@code --rate N} commands/s): an open-loop schedule; each latency is
 *       measured from the request's <em>scheduled</em> start, so a stall is charged to every
 *       request it delays (no coordinated omission).</li>
 * </ul>
 * A command counts as durable when the service answered 2xx with {@code "changed": true}: the
 * service answers only after the Kafka transaction holding the event has committed.
 */
@Command(name = "commands", mixinStandardHelpOptions = true,
        description = "Drive rollout commands (single or as change sets) at a command-service and report throughput and latency.")
public final class CommandLoad implements java.util.concurrent.Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "command-service base URL (default ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token", description = "bearer token (default: the contents of --token-file)")
    String token;

    @Option(names = "--token-file", defaultValue = ".flagplane/admin-token", description = "file holding the token (default ${DEFAULT-VALUE})")
    Path tokenFile;

    @Option(names = "--environment", defaultValue = "loadtest", description = "environment to write to (default ${DEFAULT-VALUE})")
    String environment;

    @Option(names = "--flags", defaultValue = "2000", description = "size of the flag pool (default ${DEFAULT-VALUE})")
    int flags;

    @Option(names = "--batch", defaultValue = "1", description = "commands per request: 1 = single commands, >1 = change sets (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--rate", defaultValue = "0", description = "commands per second; 0 = saturation (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--concurrency", defaultValue = "32", description = "closed-loop clients at saturation; sending threads at a fixed rate (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds sent but not measured (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--duration", defaultValue = "20", description = "seconds measured (default ${DEFAULT-VALUE})")
    int durationSeconds;

    PrintStream out = System.out;

    /** What a run measured. */
    public record Result(String mode, int batch, double seconds, long durableCommands, long requests,
                         Latencies.Summary latency, Map<String, Long> errors) {

        public double commandsPerSecond() {
            return durableCommands / seconds;
        }

        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Override
    public Integer call() throws Exception {
        Result result = run();
        return result.errorCount() == 0 && result.durableCommands() > 0 ? 0 : 1;
    }

    public Result run() throws Exception {
        if (batch < 1 || flags < 1 || concurrency < 1 || durationSeconds < 1 || warmupSeconds < 0 || rate < 0) {
            throw new IllegalArgumentException("--batch, --flags, --concurrency and --duration must be positive; --warmup and --rate not negative");
        }
        String bearer = token != null ? token : Files.readString(tokenFile).trim();
        String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        RolloutWorkload workload = new RolloutWorkload(environment, runId, flags, batch);
        try (Sender sender = new Sender(URI.create(url), bearer)) {
            return run(sender, workload);
        }
    }

    Result run(Transport sender, RolloutWorkload workload) throws InterruptedException {

        long created = System.nanoTime();
        if (sender.send(new RolloutWorkload.Request("GET", "/api/v1/environments/" + environment, "")).status() == 404) {
            Outcome declared = sender.send(new RolloutWorkload.Request("POST", "/api/v1/environments",
                    "{\"name\":\"" + environment + "\",\"reason\":\"flagplane-load\"}"));
            if (declared.status() >= 300 && declared.status() != 409) { // 409: someone declared it meanwhile
                throw new IllegalStateException("environment " + environment + " is not declared and this token cannot declare"
                        + " it (HTTP " + declared.status() + "); declare it with an admin token: POST /api/v1/environments "
                        + declared.body());
            }
        }
        for (int from = 0; from < flags; from += 100) {
            Outcome outcome = sender.send(new RolloutWorkload.Request("POST", "/api/v1/changesets",
                    workload.createChangeSet(from, Math.min(flags, from + 100))));
            if (outcome.status() != 200 && outcome.status() != 201) {
                throw new IllegalStateException("could not create the flag pool: HTTP " + outcome.status() + " " + outcome.body());
            }
        }
        out.printf("created %d flags in %s/%s in %.1f s%n", flags, environment, workload.flagKey(0).replace("f0", "*"),
                (System.nanoTime() - created) / 1e9);

        String mode = rate == 0 ? "saturation, " + concurrency + " clients" : "fixed " + (long) rate + " commands/s";
        out.printf("running %s, %s per request, %d s warm-up + %d s measured%n", mode,
                batch == 1 ? "1 command" : "change sets of " + batch, warmupSeconds, durationSeconds);
        Measure measure = new Measure(System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds),
                TimeUnit.SECONDS.toNanos(durationSeconds));
        if (rate == 0) {
            saturate(sender, workload, measure);
        } else {
            paced(sender, workload, measure);
        }
        Result result = new Result(mode, batch, durationSeconds, measure.durable.sum(), measure.requests.sum(),
                measure.latencies.summary(), new TreeMap<>(measure.errors));
        out.printf("""
                  durable commands/s  %.0f   (%d commands in %d requests over %d s)
                  latency             %s
                  errors              %s
                """, result.commandsPerSecond(), result.durableCommands(), result.requests(), durationSeconds,
                result.latency().describeMillis(), result.errors().isEmpty() ? "none" : result.errors());
        return result;
    }

    private void saturate(Transport sender, RolloutWorkload workload, Measure measure) throws InterruptedException {
        AtomicLong sequence = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Thread client = new Thread(() -> {
                while (System.nanoTime() < measure.end) {
                    long started = System.nanoTime();
                    Outcome outcome = sender.send(workload.request(sequence.getAndIncrement()));
                    measure.record(started, System.nanoTime(), outcome, false);
                }
            }, "load-client-" + i);
            client.start();
            clients.add(client);
        }
        progress(measure, () -> sequence.get());
        for (Thread client : clients) {
            client.join();
        }
    }

    private void paced(Transport sender, RolloutWorkload workload, Measure measure) throws InterruptedException {
        long interval = (long) (TimeUnit.SECONDS.toNanos(1) * batch / rate);
        long first = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        // requests wait here when every worker is busy; their latency still counts from the schedule
        ExecutorService workers = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread t = new Thread(runnable, "load-worker");
            t.setDaemon(true);
            return t;
        });
        Thread pacer = new Thread(() -> {
            for (long seq = 0; ; seq++) {
                long scheduled = first + seq * interval;
                if (scheduled >= measure.end) {
                    break;
                }
                long wait;
                while ((wait = scheduled - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                RolloutWorkload.Request request = workload.request(seq);
                workers.execute(() -> {
                    Outcome outcome = sender.send(request);
                    measure.record(scheduled, System.nanoTime(), outcome, true);
                });
                sent.incrementAndGet();
            }
        }, "load-pacer");
        pacer.start();
        progress(measure, sent::get);
        pacer.join();
        workers.shutdown();
        if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
            out.println("some requests did not finish within 60 s after the run");
            workers.shutdownNow();
        }
    }

    /**
     * Every 5 s: the totals, and the requests sent per second since the last line (a closed loop
     * sends as fast as it is answered), warm-up included. That rate shows the warm-up: a freshly
     * started stack on this machine climbed for about two minutes while the JIT compiled it
     * (BENCHMARKS.md, issue 17 part 4).
     */
    private void progress(Measure measure, java.util.function.LongSupplier sent) throws InterruptedException {
        long lastSent = sent.getAsLong();
        long lastAt = System.nanoTime();
        while (System.nanoTime() < measure.end) {
            Thread.sleep(Math.min(5_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(measure.end - System.nanoTime()))));
            long nowSent = sent.getAsLong();
            long now = System.nanoTime();
            double rate = (nowSent - lastSent) * 1e9 / Math.max(1, now - lastAt);
            lastSent = nowSent;
            lastAt = now;
            out.printf("  … %d requests sent (%.0f/s lately), %d durable commands measured so far%n", nowSent, rate,
                    measure.durable.sum());
        }
    }

    /** The measured window and what fell in it (by completion time for counts, by start time for latency). */
    private static final class Measure {
        final long start;
        final long end;
        final LongAdder durable = new LongAdder();
        final LongAdder requests = new LongAdder();
        final Latencies latencies = new Latencies();
        final Map<String, Long> errors = new ConcurrentHashMap<>();

        Measure(long start, long length) {
            this.start = start;
            this.end = start + length;
        }

        /** Paced requests were sent into the window by schedule, so they count even if they finish after it. */
        void record(long started, long finished, Outcome outcome, boolean paced) {
            if (started < start || finished > end + TimeUnit.SECONDS.toNanos(30)) {
                return;
            }
            if (outcome.status() / 100 != 2) {
                errors.merge(outcome.status() == 0 ? outcome.body() : ("HTTP " + outcome.status() + " " + outcome.body()).trim(),
                        1L, Long::sum);
                return;
            }
            latencies.record(finished - started);
            if (paced || finished <= end) {
                requests.increment();
                durable.add(outcome.changed());
            }
        }
    }

    record Outcome(int status, String body, int changed) {
    }

    /** Sends one request and reports what came back; called from many threads. */
    interface Transport {
        Outcome send(RolloutWorkload.Request request);
    }

    /**
     * HTTP exchanges with the service, one persistent connection per driver thread, counting the
     * {@code "changed": true} entries of each answer.
     */
    static final class Sender implements Transport, AutoCloseable {
        private final URI base;
        private final String authorization;
        private final List<HttpConnection> all = new ArrayList<>();
        private final ThreadLocal<HttpConnection> connection;

        Sender(URI base, String bearer) {
            this.base = base;
            this.authorization = "Bearer " + bearer;
            this.connection = ThreadLocal.withInitial(() -> {
                HttpConnection c = new HttpConnection(base, 30_000);
                synchronized (all) {
                    all.add(c);
                }
                return c;
            });
        }

        @Override
        public Outcome send(RolloutWorkload.Request request) {
            try {
                HttpConnection.Response response = connection.get().exchange(request.method(), base.getPath().replaceAll("/$", "")
                        + request.path(), authorization, request.body());
                return outcome(response.status(), response.body());
            } catch (IOException e) {
                return new Outcome(0, e.getClass().getSimpleName(), 0);
            }
        }

        private static Outcome outcome(int status, String body) {
            try {
                JsonNode json = JSON.readTree(body);
                if (status / 100 != 2) {
                    return new Outcome(status, json.path("error").path("code").asText(""), 0);
                }
                JsonNode changes = json.get("changes");
                int changed = 0;
                if (changes == null) {
                    changed = json.path("changed").asBoolean() ? 1 : 0;
                } else {
                    for (JsonNode change : changes) {
                        changed += change.path("changed").asBoolean() ? 1 : 0;
                    }
                }
                return new Outcome(status, "", changed);
            } catch (IOException e) {
                return new Outcome(status / 100 == 2 ? 0 : status, "unparseable answer", 0);
            }
        }

        @Override
        public void close() {
            synchronized (all) {
                all.forEach(HttpConnection::close);
            }
        }
    }
}
