package io.flagplane.projection.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.projection.experiments.ExperimentAnalysis;
import io.flagplane.projection.experiments.ExperimentSpec;
import io.flagplane.projection.experiments.ExperimentStores;
import io.flagplane.projection.experiments.ExperimentTotals;
import io.flagplane.projection.query.ClusterExperiments;
import io.flagplane.projection.query.ExperimentQueries;
import io.flagplane.statistics.Interval;
import io.flagplane.statistics.SampleRatio;
import io.flagplane.statistics.SampleRatioVerdict;
import io.flagplane.statistics.SequentialResult;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The JSON of the experiment answers: an experiment's definition and status, its results (per arm
 * and metric, each treatment against the control with the fixed-horizon and the always-valid
 * result side by side, the sample-ratio check, "not enough data yet") and their time series. A
 * number that is not defined (a rate with no users, a lift over a zero rate) is {@code null}.
 */
final class ExperimentJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExperimentJson() {
    }

    static ObjectNode list(String environment, List<ExperimentQueries.Found> experiments) {
        ObjectNode body = JSON.createObjectNode().put("environment", environment);
        ArrayNode list = body.putArray("experiments");
        experiments.forEach(found -> list.add(summary(found)));
        return body;
    }

    static ObjectNode summary(ExperimentQueries.Found found) {
        Experiment e = found.experiment();
        ObjectNode json = JSON.createObjectNode();
        json.put("key", e.getKey()).put("flag", found.flag().getFlagKey()).put("status", lower(e.getStatus().name()));
        json.put("description", e.getDefinition().getDescription());
        json.put("primaryMetric", e.getDefinition().getPrimaryMetric().getEventKey());
        json.put("launchedAt", instant(e.getLaunchedAt())).put("stoppedAt", instant(e.getStoppedAt()));
        json.put("winner", e.getWinner());
        return json;
    }

    static ObjectNode experiment(String environment, ExperimentQueries.Found found) {
        Experiment e = found.experiment();
        ExperimentDefinition d = e.getDefinition();
        ObjectNode json = summary(found);
        json.put("environment", environment);
        json.put("flagVersion", found.flag().getVersion());
        json.put("ruleId", d.getRuleId());
        ArrayNode arms = json.putArray("arms");
        for (WeightedVariant arm : e.getArms()) {
            arms.addObject().put("variant", arm.getVariant()).put("weight", arm.getWeight());
        }
        // launched: the control the results use (the named one if it is an arm, else the first arm); a draft: as named
        json.put("control", ExperimentSpec.of(environment, found.flag().getFlagKey(), e).map(ExperimentSpec::control)
                .orElse(d.getControlVariant()));
        ArrayNode metrics = json.putArray("metrics");
        metrics.add(metric(d.getPrimaryMetric(), true));
        d.getSecondaryMetrics().forEach(m -> metrics.add(metric(m, false)));
        json.put("createdAt", instant(e.getCreatedAt()));
        json.put("launchAt", instant(d.getLaunchAt())).put("stopAt", instant(d.getStopAt()));
        json.put("launchedAtVersion", e.getLaunchedAtVersion());
        return json;
    }

    private static ObjectNode metric(ExperimentMetric m, boolean primary) {
        ObjectNode json = JSON.createObjectNode();
        json.put("eventKey", m.getEventKey()).put("kind", lower(m.getKind().name())).put("aggregation", lower(m.getAggregation().name()));
        json.put("windowHours", m.getWindowHours()).put("primary", primary);
        if (m.getMinimumSample() == null) {
            json.putNull("minimumSample");
        } else {
            json.put("minimumSample", m.getMinimumSample());
        }
        return json;
    }

    /** The results, or for a DRAFT experiment its status and no figures. */
    static ObjectNode results(String environment, ClusterExperiments.Answer answer, Instant computedAt) {
        Experiment e = answer.found().experiment();
        ObjectNode json = JSON.createObjectNode();
        json.put("environment", environment).put("experiment", e.getKey()).put("flag", answer.found().flag().getFlagKey());
        json.put("status", lower(e.getStatus().name())).put("computedAt", computedAt.toString());
        ExperimentAnalysis.Results results = answer.results();
        if (results == null) {
            json.put("enoughData", false).put("notEnoughDataReason", "the experiment has not been launched");
            return json;
        }
        figures(json, results);
        return json;
    }

    private static void figures(ObjectNode json, ExperimentAnalysis.Results results) {
        ExperimentSpec spec = results.spec();
        ExperimentTotals totals = results.totals();
        json.put("control", spec.control());
        json.put("confidence", ExperimentAnalysis.CONFIDENCE);
        json.put("users", totals.users()).put("exposures", totals.exposures()).put("mixedUsers", totals.mixedUsers());
        json.put("enoughData", results.enoughData());
        json.put("notEnoughDataReason", results.enoughData() ? null : notEnough(results));
        ArrayNode variants = json.putArray("variants");
        for (ExperimentSpec.Arm arm : spec.arms()) {
            ExperimentTotals.VariantTotals t = totals.variant(arm.variant());
            variants.addObject().put("variant", arm.variant()).put("weight", arm.weight()).put("control", arm.variant().equals(spec.control()))
                    .put("users", t.users()).put("exposures", t.exposures());
        }
        json.set("sampleRatio", sampleRatio(results.sampleRatio()));
        ArrayNode metrics = json.putArray("metrics");
        for (ExperimentAnalysis.MetricResult m : results.metrics()) {
            metrics.add(metric(m));
        }
    }

    private static String notEnough(ExperimentAnalysis.Results results) {
        for (ExperimentAnalysis.MetricResult m : results.metrics()) {
            for (ExperimentAnalysis.ArmFigures arm : m.arms()) {
                if (arm.users() < m.metric().minimumSample()) {
                    return "not enough data yet: " + arm.variant() + " has " + arm.users() + " of the " + m.metric().minimumSample()
                            + " users " + m.metric().eventKey() + " needs in every variant";
                }
            }
        }
        return "not enough data yet";
    }

    private static ObjectNode sampleRatio(SampleRatioVerdict verdict) {
        if (verdict == null) {
            return null;
        }
        ObjectNode json = JSON.createObjectNode();
        number(json, "chiSquare", verdict.chiSquare());
        json.put("degreesOfFreedom", verdict.degreesOfFreedom());
        number(json, "pValue", verdict.pValue());
        json.put("threshold", SampleRatio.THRESHOLD).put("mismatch", verdict.mismatch());
        return json;
    }

    private static ObjectNode metric(ExperimentAnalysis.MetricResult m) {
        ExperimentSpec.Metric metric = m.metric();
        ObjectNode json = JSON.createObjectNode();
        json.put("eventKey", metric.eventKey()).put("kind", metric.wireKind()).put("primary", m.primary());
        json.put("windowHours", metric.windowMs() / 3_600_000L).put("minimumSample", metric.minimumSample());
        json.put("enoughData", m.enoughData());
        ArrayNode arms = json.putArray("variants");
        for (ExperimentAnalysis.ArmFigures arm : m.arms()) {
            ObjectNode a = arms.addObject().put("variant", arm.variant()).put("users", arm.users()).put("conversions", arm.conversions());
            number(a, "rate", arm.rate());
            if (arm.value() != null) {
                number(a, "mean", arm.value().mean());
                number(a, "variance", arm.value().variance());
                number(a, "sum", arm.sum());
            }
        }
        ArrayNode comparisons = json.putArray("comparisons");
        for (ExperimentAnalysis.Comparison c : m.comparisons()) {
            ObjectNode cj = comparisons.addObject().put("variant", c.variant()).put("against", c.control());
            ObjectNode fixed = cj.putObject("fixedHorizon");
            if (c.proportions() != null) {
                fixed.put("test", "two_proportion_z");
                number(fixed, "z", c.proportions().z());
                number(fixed, "pValue", c.proportions().pValue());
                number(fixed, "difference", c.proportions().difference());
                fixed.set("differenceCi", interval(c.proportions().differenceCi()));
                number(fixed, "relativeLift", c.proportions().relativeLift());
                fixed.set("relativeLiftCi", interval(c.proportions().relativeLiftCi()));
            } else {
                fixed.put("test", "welch_t");
                number(fixed, "t", c.means().t());
                number(fixed, "degreesOfFreedom", c.means().degreesOfFreedom());
                number(fixed, "pValue", c.means().pValue());
                number(fixed, "difference", c.means().difference());
                fixed.set("differenceCi", interval(c.means().differenceCi()));
                number(fixed, "relativeLift", c.means().relativeLift());
                fixed.set("relativeLiftCi", interval(c.means().relativeLiftCi()));
            }
            fixed.put("significant", c.significant());
            fixed.put("note", "valid for one look at a sample size fixed in advance");
            SequentialResult av = c.alwaysValid();
            ObjectNode always = cj.putObject("alwaysValid");
            always.put("test", "msprt");
            number(always, "pValue", av.pValue());
            always.set("differenceCi", interval(av.differenceCi()));
            always.put("significant", av.significant());
            always.put("note", "valid however often the results are looked at");
        }
        return json;
    }

    /** Each point of the series with the figures the charts draw: users, and per metric each arm's rate or mean and each comparison. */
    static ObjectNode series(String environment, String experimentKey, ExperimentStores.Resolution resolution, ExperimentSpec spec,
                             List<ClusterExperiments.Point> points) {
        ObjectNode json = JSON.createObjectNode();
        json.put("environment", environment).put("experiment", experimentKey).put("resolution", lower(resolution.name()));
        ArrayNode list = json.putArray("points");
        if (spec == null) {
            return json;
        }
        for (ClusterExperiments.Point point : points) {
            ExperimentAnalysis.Results results = ExperimentAnalysis.analyse(spec, point.totals());
            ObjectNode p = list.addObject().put("at", Instant.ofEpochMilli(point.atMs()).toString());
            ObjectNode users = p.putObject("users");
            for (ExperimentSpec.Arm arm : spec.arms()) {
                users.put(arm.variant(), point.totals().variant(arm.variant()).users());
            }
            p.put("mixedUsers", point.totals().mixedUsers());
            ArrayNode metrics = p.putArray("metrics");
            for (ExperimentAnalysis.MetricResult m : results.metrics()) {
                ObjectNode mj = metrics.addObject().put("eventKey", m.metric().eventKey()).put("kind", m.metric().wireKind());
                ObjectNode arms = mj.putObject("variants");
                for (ExperimentAnalysis.ArmFigures arm : m.arms()) {
                    number(arms.putObject(arm.variant()), arm.value() == null ? "rate" : "mean",
                            arm.value() == null ? arm.rate() : arm.value().mean());
                }
                ObjectNode comparisons = mj.putObject("comparisons");
                for (ExperimentAnalysis.Comparison c : m.comparisons()) {
                    ObjectNode cj = comparisons.putObject(c.variant());
                    number(cj, "pValue", c.pValue());
                    cj.set("differenceCi", interval(c.proportions() != null ? c.proportions().differenceCi() : c.means().differenceCi()));
                    cj.set("alwaysValidCi", interval(c.alwaysValid().differenceCi()));
                }
            }
        }
        return json;
    }

    private static ArrayNode interval(Interval interval) {
        ArrayNode json = JSON.createArrayNode();
        if (interval == null) {
            return json.addNull().addNull();
        }
        addNumber(json, interval.lower());
        addNumber(json, interval.upper());
        return json;
    }

    private static void addNumber(ArrayNode json, double value) {
        if (Double.isFinite(value)) {
            json.add(value);
        } else {
            json.addNull();
        }
    }

    private static void number(ObjectNode json, String name, double value) {
        if (Double.isFinite(value)) {
            json.put(name, value);
        } else {
            json.putNull(name);
        }
    }

    private static String instant(Instant at) {
        return at == null ? null : at.toString();
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
