package io.flagplane.faults;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What every fault needs: the cluster, a client, the log, the report, and the run's settings. */
final class Context {

    static final Duration SHORT = Duration.ofSeconds(5);

    final Cluster cluster;
    final Http http;
    final EventLog log;
    final Report report;
    final String run;
    final double rate;
    final int loadSeconds;
    /** A flag in production that the edges serve; faults flip it and time how fast every edge follows. */
    final String probe;

    Context(Cluster cluster, Report report, String run, double rate, int loadSeconds) {
        this.cluster = cluster;
        this.http = new Http(cluster.token);
        this.log = new EventLog(cluster.bootstrap(), cluster.url("registry"));
        this.report = report;
        this.run = run;
        this.rate = rate;
        this.loadSeconds = loadSeconds;
        this.probe = "faults.probe-" + run;
    }

    /** The command-service whose /health/ready is 200 (the writer), waiting up to the timeout; null if none. */
    String active(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (String url : cluster.commandUrls()) {
                if (http.get(url + "/health/ready", Duration.ofSeconds(2)).status() == 200) {
                    return url;
                }
            }
            sleep(100);
        } while (System.nanoTime() < deadline);
        return null;
    }

    String other(String commandUrl) {
        List<String> urls = cluster.commandUrls();
        return urls.get(0).equals(commandUrl) ? urls.get(1) : urls.get(0);
    }

    /** Declares an environment of the run's own (edges do not serve it, so their rulesets stay small). */
    void declare(String environment) {
        Http.Response r = http.post(active(Duration.ofSeconds(30)) + "/api/v1/environments",
                "{\"name\":\"" + environment + "\",\"reason\":\"fault suite\"}", "declare-" + environment, SHORT);
        if (!r.ok()) {
            throw new IllegalStateException("declaring " + environment + ": " + r.status() + " " + r.body());
        }
    }

    /** Sends one command to the writer, retrying (same key) until it is acknowledged or 60 s pass. */
    Http.Response command(String path, String body, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Http.Response r;
        do {
            String url = active(Duration.ofSeconds(10));
            r = url == null ? new Http.Response(0, "no writer", false, 0)
                    : http.post(url + path, body, key, SHORT);
            if (r.ok() || (r.status() / 100 == 4)) {
                return r;
            }
            sleep(200);
        } while (System.nanoTime() < deadline);
        return r;
    }

    String flagPath(String environment, String key) {
        return "/api/v1/environments/" + environment + "/flags" + (key == null ? "" : "/" + key);
    }

    /** What an edge answers for the probe flag: "true", "false", or null when it cannot answer. */
    String edgeValue(String edgeUrl) {
        return edgeValue(edgeUrl, probe);
    }

    /** What an edge answers for a flag in its environment: the value as text, or null when it cannot answer. */
    String edgeValue(String edgeUrl, String flag) {
        Http.Response r = http.post(edgeUrl + "/ofrep/v1/evaluate/flags/" + flag,
                "{\"context\":{\"targetingKey\":\"user-1\"}}", null, Duration.ofSeconds(2));
        if (!r.ok()) {
            return null;
        }
        return r.json().path("value").asText(null);
    }

    /** Milliseconds until every edge serves the value, from a start (System.nanoTime); -1 if not within the timeout. */
    double edgesServe(String value, long since, Duration timeout) {
        long deadline = since + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.edgeUrls().stream().allMatch(e -> value.equals(edgeValue(e)))) {
                return (System.nanoTime() - since) / 1e6;
            }
            sleep(50);
        }
        return -1;
    }

    /** Kills or revives the probe flag; returns the value the edges should then serve. */
    Http.Response flipProbe(boolean kill, String key) {
        return command(flagPath("production", probe) + (kill ? "/kill" : "/revive"), "{\"reason\":\"fault suite\"}", key);
    }

    boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            sleep(100);
        }
        return condition.getAsBoolean();
    }

    /** The pause between looks in {@link #await} and the pacing of the faults: the cluster offers no change notification to wait on. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static double ms(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }
}
