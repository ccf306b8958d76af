package io.flagplane.faults;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Fault 6 (partly): records no writer of ours produced — garbage bytes, and the Confluent wire
 * format naming a schema id the registry does not have — on every topic a service reads. Every
 * service must stay up (health endpoints), keep working (a command is acknowledged and reaches
 * every edge), and count what it skipped (the projection's and edges' metrics, the
 * command-services' logs). Then records written by a newer release ({@link NewerSchemaRecords}): an
 * unknown event kind on {@code flag-events} is refused and dead-lettered; a record with one more field
 * on a state or telemetry topic is read (the edges serve the flag it carries).
 */
final class PoisonRecords {

    private static final List<String> TOPICS = List.of("flag-events", "flag-state", "segment-state", "evaluator-reports",
            "command-leader", "flag-notices", "flag-exposures", "tracking-events", "release-signals");

    private PoisonRecords() {
    }

    static void run(Context c) throws Exception {
        Report report = c.report;
        report.heading("6. Poison records (garbage bytes, unknown schema id, a newer release's schema)");
        Map<String, Double> before = counters(c);
        Map<String, Long> logsBefore = logLines(c);
        List<String> present = new ArrayList<>();
        for (TopicListing t : c.cluster.admin.listTopics().listings().get()) {
            if (TOPICS.contains(t.name())) {
                present.add(t.name());
            }
        }
        int written = 0;
        NewerSchemaRecords.Written newer;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.cluster.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (String topic : present) {
                int partitions = c.cluster.admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
                for (int p = 0; p < partitions; p++) {
                    // keys shaped like the real ones, so a reader that routes by key gets as far as the value
                    String key = "production/flag:poison.p" + p + "-" + c.run;
                    producer.send(new ProducerRecord<>(topic, p, key, "\u0000garbage, not avro".getBytes(StandardCharsets.UTF_8))).get();
                    producer.send(new ProducerRecord<>(topic, p, key, unknownSchemaId())).get();
                    written += 2;
                }
            }
            newer = NewerSchemaRecords.write(c, producer);
        }
        report.figure("wrote %d poison records (one garbage, one unknown schema id 2147483000, per partition) on: %s",
                written, String.join(", ", present));
        report.figure("wrote records with a newer release's schema (registered as the subject's next version) on: %s",
                String.join(", ", newer.topics()));

        // something real after the poison: it must be applied everywhere
        long sent = System.nanoTime();
        Http.Response kill = c.flipProbe(true, "f6-kill-" + c.run);
        double converged = c.edgesServe("false", sent, Duration.ofSeconds(60));
        report.check(kill.ok() && converged >= 0, "a kill written after the poison: HTTP %d; every edge served it %.0f ms "
                + "later", kill.status(), converged);
        c.flipProbe(false, "f6-revive-" + c.run);
        boolean served = c.await(() -> c.cluster.edgeUrls().stream().allMatch(e -> "true".equals(c.edgeValue(e, newer.newerFlag()))),
                Duration.ofSeconds(30));
        report.check(served, "every edge read the flag-state record with one more field and serves its flag %s", newer.newerFlag());
        Context.sleep(5_000);   // an observation window: no service may fall over while it keeps reading past the poison

        List<String> down = new ArrayList<>();
        for (String name : List.of("command-a", "command-b", "projection-1", "projection-2", "edge-1", "edge-2", "edge-3")) {
            int status = c.http.get(c.cluster.url(name) + "/health/live", Context.SHORT).status();
            if (status != 200) {
                down.add(name + "=" + status);
            }
        }
        report.check(down.isEmpty(), "every service's /health/live answers 200 after the poison%s",
                down.isEmpty() ? "" : " (not: " + down + ")");
        Map<String, Double> after = counters(c);
        Map<String, Long> logsAfter = logLines(c);
        Map<String, String> moved = new TreeMap<>();
        after.forEach((k, v) -> {
            double was = before.getOrDefault(k, 0.0);
            if (v != was) {
                moved.put(k, String.format("%.0f -> %.0f", was, v));
            }
        });
        logsAfter.forEach((k, v) -> {
            long was = logsBefore.getOrDefault(k, 0L);
            if (v != was) {
                moved.put(k + " log lines 'undecodable'", was + " -> " + v);
            }
        });
        report.check(!moved.isEmpty(), "skip counters that moved: %s", moved);
    }

    /** Magic byte 0, then a schema id no registry hands out, then bytes. */
    private static byte[] unknownSchemaId() {
        return ByteBuffer.allocate(13).put((byte) 0).putInt(2_147_483_000).put("poison!!".getBytes(StandardCharsets.US_ASCII))
                .array();
    }

    /** The skip and dead-letter counters every service exports, by "service metric". */
    private static Map<String, Double> counters(Context c) {
        Map<String, Double> values = new TreeMap<>();
        for (String name : List.of("projection-1", "projection-2", "edge-1", "edge-2", "edge-3")) {
            String body = c.http.get(c.cluster.url(name) + "/metrics", Context.SHORT).body();
            for (String line : body.split("\n")) {
                // flagplane_records_* (flag-events, state topics), flagplane_report_records_* and
                // flagplane_experiment_records_* (evaluator-reports, exposures, tracking events)
                if (line.startsWith("flagplane_") && line.contains("records_") && !line.startsWith("#")) {
                    int space = line.lastIndexOf(' ');
                    try {
                        values.merge(name + " " + line.substring(0, space), Double.parseDouble(line.substring(space + 1)),
                                Double::sum);
                    } catch (NumberFormatException ignored) {
                        // not a sample line
                    }
                }
            }
        }
        return values;
    }

    /** The command-services export no skip counter: their logs say what they skipped. */
    private static Map<String, Long> logLines(Context c) throws Exception {
        Map<String, Long> lines = new TreeMap<>();
        for (String name : List.of("command-a", "command-b")) {
            try (var stream = Files.lines(c.cluster.dir.resolve("logs").resolve(name + ".log"))) {
                lines.put(name, stream.filter(l -> l.contains("undecodable")).count());
            }
        }
        return lines;
    }
}
