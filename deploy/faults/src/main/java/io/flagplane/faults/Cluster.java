package io.flagplane.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * The running cluster as deploy/cluster/flagplane-cluster left it: its URLs (cluster.env), its
 * pid files, and the script itself for restarting a process. Faults are plain signals to the pids
 * in the pid files, so the suite injects exactly what an operator's {@code kill} would.
 */
final class Cluster implements AutoCloseable {

    final Path dir;
    final Path script;
    final Map<String, String> env = new HashMap<>();
    final String token;
    final Admin admin;

    Cluster(Path dir, Path script) throws IOException {
        this.dir = dir;
        this.script = script;
        for (String line : Files.readAllLines(dir.resolve("cluster.env"))) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 0) {
                continue;
            }
            env.put(line.substring(0, eq), line.substring(eq + 1).replace("'", ""));
        }
        this.token = Files.readString(Path.of(env.get("ADMIN_TOKEN_FILE"))).trim();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        this.admin = Admin.create(props);
    }

    String bootstrap() {
        return env.get("BOOTSTRAP");
    }

    String url(String name) {
        return env.get(name.toUpperCase().replace('-', '_') + "_URL");
    }

    List<String> commandUrls() {
        return List.of(url("command-a"), url("command-b"));
    }

    List<String> edgeUrls() {
        return List.of(url("edge-1"), url("edge-2"), url("edge-3"));
    }

    List<String> projectionUrls() {
        return List.of(url("projection-1"), url("projection-2"));
    }

    /** The process named after a command-service URL (command-a / command-b). */
    String commandName(String url) {
        return url.equals(url("command-a")) ? "command-a" : "command-b";
    }

    long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("pids").resolve(name + ".pid")).trim());
    }

    void signal(String name, String signal) throws IOException, InterruptedException {
        long pid = pid(name);
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " (" + name + ") failed");
        }
    }

    /** kill -9, then waits until the process is gone (so a port is really free before anything is timed). */
    void kill9(String name) throws IOException, InterruptedException {
        long pid = pid(name);
        signal(name, "KILL");
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
    }

    /** {@code flagplane-cluster start <names>}: returns when they are ready (a command-service: active or standby). */
    void start(String... names) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString(), "start"));
        cmd.addAll(List.of(names));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLAGPLANE_CLUSTER_DIR", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("flagplane-cluster start " + String.join(" ", names) + " failed:\n" + out);
        }
    }

    /** The broker name (kafka-N) that leads a partition of a topic now. */
    String leaderOf(String topic, int partition) throws Exception {
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Node leader = description.partitions().get(partition).leader();
        if (leader == null || leader.isEmpty()) {
            throw new IllegalStateException(topic + "-" + partition + " has no leader");
        }
        return "kafka-" + leader.id();
    }

    /** How many in-sync replicas a partition has now. */
    int isr(String topic, int partition) throws Exception {
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        return description.partitions().get(partition).isr().size();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
