package io.flagplane.projection.query;

import com.fasterxml.jackson.core.type.TypeReference;
import io.flagplane.projection.experiments.ExperimentAnalysis;
import io.flagplane.projection.experiments.ExperimentSpec;
import io.flagplane.projection.experiments.ExperimentStores;
import io.flagplane.projection.experiments.ExperimentTotals;
import io.flagplane.projection.experiments.Snapshot;
import io.flagplane.projection.telemetry.TelemetryCodec;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Experiment results from every instance. The analysis keeps each experiment's totals where its
 * users are, partitioned by user, so a question about one experiment asks every instance for its
 * share on an internal route (JSON of the records) and adds them up — a handful of records whatever
 * the number of exposures — then computes the statistics ({@link ExperimentAnalysis}).
 */
public final class ClusterExperiments {

    private static final TypeReference<List<Snapshot>> POINTS = new TypeReference<>() {
    };

    /** An experiment found, its spec (null in DRAFT) and its totals over every instance (empty when none). */
    public record Answer(ExperimentQueries.Found found, ExperimentSpec spec, ExperimentTotals totals) {

        /** The results; null for a DRAFT experiment (no arms yet). */
        public ExperimentAnalysis.Results results() {
            return spec == null ? null : ExperimentAnalysis.analyse(spec, totals);
        }
    }

    /** A point of the time series: every partition's latest totals at or before {@code atMs}, added up. */
    public record Point(long atMs, ExperimentTotals totals) {
    }

    private final ExperimentQueries local;
    private final Router router;

    public ClusterExperiments(ExperimentQueries local, Router router) {
        this.local = local;
        this.router = router;
    }

    public ExperimentQueries local() {
        return local;
    }

    public List<ExperimentQueries.Found> experiments(String environment) {
        return local.experiments(environment);
    }

    /** The experiment, its spec and its totals; {@code EXPERIMENT_NOT_FOUND} when the environment has none by that key. */
    public Answer answer(String environment, String experimentKey, String authorization) {
        ExperimentTotals totals = totals(environment, experimentKey, authorization);
        ExperimentQueries.Found found = local.experiment(environment, experimentKey, totals == null ? null : totals.flagKey())
                .orElseThrow(() -> QueryException.notFound(QueryErrorCode.EXPERIMENT_NOT_FOUND, "there is no experiment '"
                        + experimentKey + "' in environment " + environment));
        ExperimentSpec spec = ExperimentSpec.of(environment, found.flag().getFlagKey(), found.experiment()).orElse(null);
        return new Answer(found, spec, totals == null ? ExperimentTotals.empty(found.flag().getFlagKey()) : totals);
    }

    /** The experiment's totals over every instance; null when no instance has any. */
    public ExperimentTotals totals(String environment, String experimentKey, String authorization) {
        ExperimentTotals sum = local.totalsLocal(environment, experimentKey);
        for (HostInfo host : router.otherInstances()) {
            Router.Forwarded answer = router.forward(host, "GET", totalsPath(environment, experimentKey), authorization, null);
            if (answer.status() == 204) {
                continue;
            }
            ExperimentTotals share = read(host, answer, ExperimentTotals.class);
            sum = sum == null ? share : sum.plus(share);
        }
        return sum;
    }

    /**
     * The time series at one resolution: at each instant some partition wrote a point, the sum of
     * every partition's latest point at or before it (a partition that had nothing new kept its totals).
     */
    public List<Point> series(String environment, String experimentKey, ExperimentStores.Resolution resolution,
                              String authorization) {
        List<Snapshot> all = new ArrayList<>(local.pointsLocal(environment, experimentKey, resolution));
        for (HostInfo host : router.otherInstances()) {
            Router.Forwarded answer = router.forward(host, "GET", pointsPath(environment, experimentKey, resolution), authorization,
                    null);
            all.addAll(readList(host, answer));
        }
        Map<Integer, TreeMap<Long, ExperimentTotals>> byPartition = new HashMap<>();
        TreeSet<Long> instants = new TreeSet<>();
        for (Snapshot point : all) {
            byPartition.computeIfAbsent(point.partition(), p -> new TreeMap<>()).put(point.atMs(), point.totals());
            instants.add(point.atMs());
        }
        List<Point> series = new ArrayList<>();
        for (long at : instants) {
            ExperimentTotals sum = null;
            for (TreeMap<Long, ExperimentTotals> partition : byPartition.values()) {
                Map.Entry<Long, ExperimentTotals> latest = partition.floorEntry(at);
                if (latest != null) {
                    sum = sum == null ? latest.getValue() : sum.plus(latest.getValue());
                }
            }
            series.add(new Point(at, sum));
        }
        return series;
    }

    public static String totalsPath(String environment, String experimentKey) {
        return experimentPath(environment, experimentKey) + "/totals";
    }

    public static String pointsPath(String environment, String experimentKey, ExperimentStores.Resolution resolution) {
        return experimentPath(environment, experimentKey) + "/points?resolution=" + resolution.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String experimentPath(String environment, String experimentKey) {
        return "/internal/v1/environments/" + encode(environment) + "/experiments/" + encode(experimentKey);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static <T> T read(HostInfo host, Router.Forwarded answer, Class<T> type) {
        check(host, answer);
        try {
            return TelemetryCodec.JSON.readValue(answer.body(), type);
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " sent an unreadable share");
        }
    }

    private static List<Snapshot> readList(HostInfo host, Router.Forwarded answer) {
        check(host, answer);
        try {
            return TelemetryCodec.JSON.readValue(answer.body(), POINTS);
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " sent an unreadable share");
        }
    }

    private static void check(HostInfo host, Router.Forwarded answer) {
        if (answer.status() != 200) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " answered " + answer.status()
                    + " for its share of the experiment's totals; retry in a moment");
        }
    }
}
