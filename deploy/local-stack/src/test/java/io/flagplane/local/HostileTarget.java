package io.flagplane.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the hostile-input suite sends its requests: the local stack it starts itself, or (with
 * {@code -Dhostile.cluster.dir=<dir>}) a running deploy/cluster, read from its cluster.env — the
 * active command-service, projection-1, edge-1 (fault 7 of the fault-injection suite).
 */
record HostileTarget(String commandUrl, String projectionUrl, String edgeUrl, String adminToken, String kafkaBootstrap) {

    static HostileTarget of(LocalStack stack) {
        return new HostileTarget(stack.commandUrl(), stack.projectionUrl(), stack.edgeUrl(), stack.adminToken(),
                stack.kafkaBootstrap());
    }

    static HostileTarget cluster(Path dir) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("cluster.env"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1).replace("'", ""));
            }
        }
        String token = Files.readString(Path.of(env.get("ADMIN_TOKEN_FILE"))).trim();
        return new HostileTarget(active(env.get("COMMAND_A_URL"), env.get("COMMAND_B_URL")), env.get("PROJECTION_1_URL"),
                env.get("EDGE_1_URL"), token, env.get("BOOTSTRAP"));
    }

    /** The command-service whose /health/ready is 200: the writer (the standby refuses everything with 503 by design). */
    private static String active(String a, String b) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        for (String url : new String[] {a, b}) {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url + "/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) {
                return url;
            }
        }
        throw new IllegalStateException("neither " + a + " nor " + b + " is the active command-service");
    }
}
