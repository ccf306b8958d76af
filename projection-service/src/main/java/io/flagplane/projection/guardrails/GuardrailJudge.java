package io.flagplane.projection.guardrails;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.Serve;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.statistics.AlwaysValid;
import io.flagplane.statistics.Interval;
import io.flagplane.statistics.Proportion;
import io.flagplane.statistics.SampleRatio;
import io.flagplane.statistics.SampleRatioVerdict;
import io.flagplane.statistics.SequentialResult;
import java.util.List;

/**
 * Reads one guardrail of a running plan's current step: its verdict, the figure it rests on, the
 * sample, and a summary in words with figures. Pure; the one place guardrails meet the statistics
 * module.
 *
 * <ul>
 *   <li><b>THRESHOLD</b> — a rate on the treatment variant over the trailing window (never reaching
 *       before the step started): {@code eventKey} events per {@code perEventKey} event, or with no
 *       {@code perEventKey} the share of the variant's users active in the window who sent
 *       {@code eventKey}. Breached above {@code limit} (below it when a higher rate is better), once
 *       the sample (events or users) reaches {@code minimumSample}.</li>
 *   <li><b>REGRESSION</b> — treatment against control, per-user rates since the step started
 *       (cumulative, as the always-valid method needs), decided by the always-valid interval of the
 *       difference at α = 0.05: breached when the whole interval is worse than {@code limit}, healthy
 *       when the whole interval is within it, else undecided (INSUFFICIENT). A step with no control
 *       users at all (everyone on the treatment) passes, not compared.</li>
 *   <li><b>NO_TRAFFIC</b> — breached when no user was exposed within the window once the step has run
 *       for a whole window.</li>
 *   <li><b>SAMPLE_RATIO</b> — on a step whose flag serves everyone from a percentage split: the
 *       users first exposed during the step, per variant, against the split's weights; breached at
 *       p &lt; 0.001. On any other step there is nothing to check and it passes (HEALTHY, "not
 *       checked"): the release controller advances a step only when every reading is HEALTHY.</li>
 *   <li><b>PROMETHEUS</b> — the query's latest value against {@code limit}; ERROR when it cannot be read.</li>
 * </ul>
 */
final class GuardrailJudge {

    /** The false-positive rate of REGRESSION's always-valid test, over every look. */
    static final double ALPHA = 0.05;

    private GuardrailJudge() {
    }

    static GuardrailReading read(Guardrail g, PlanContext ctx, Measurement m, PrometheusReadings prometheus) {
        try {
            return switch (g.getKind()) {
                case THRESHOLD -> threshold(g, ctx, m);
                case REGRESSION -> regression(g, ctx, m);
                case NO_TRAFFIC -> noTraffic(g, ctx, m);
                case SAMPLE_RATIO -> sampleRatio(g, ctx, m);
                case PROMETHEUS -> prometheus(g, prometheus);
            };
        } catch (Incomplete e) {
            return reading(g, GuardrailVerdict.ERROR, null, 0, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ THRESHOLD

    static GuardrailReading threshold(Guardrail g, PlanContext ctx, Measurement m) {
        String eventKey = require(g, g.getEventKey(), "eventKey");
        double limit = require(g, g.getLimit(), "limit");
        String variant = require(g, ctx.treatment(), "a treatment variant (the plan names none and its flag is unknown)");
        long from = ctx.windowStart(g.getWindowSeconds());
        Cell cell = m.since(variant, from);
        // a window cut short by the step's start says so: "over 0 s" alone reads like an empty window
        boolean sinceStep = ctx.nowMs() - from < g.getWindowSeconds() * 1000L;
        String over = (sinceStep ? "since the step started (" + Figures.elapsed(ctx.nowMs() - from) + ")"
                : "over " + Figures.elapsed(ctx.nowMs() - from)) + " on variant " + variant;
        boolean perEvent = g.getPerEventKey() != null;
        long numerator = perEvent ? cell.events(eventKey) : cell.users(eventKey);
        long denominator = perEvent ? cell.events(g.getPerEventKey()) : cell.active();
        String unit = perEvent ? g.getPerEventKey() + " events" : "users";
        if (denominator == 0) {
            return reading(g, GuardrailVerdict.INSUFFICIENT, null, 0, "no " + unit + " " + over + " yet");
        }
        double rate = Math.min(1.0, (double) numerator / denominator);
        String what = eventKey + " rate " + Figures.percent(rate) + " %" + (perEvent ? "" : " of users");
        if (denominator < g.getMinimumSample()) {
            String had = perEvent ? Figures.count(denominator) + " " + unit : Figures.users(denominator);
            return reading(g, GuardrailVerdict.INSUFFICIENT, rate, denominator, what + " " + over + ": " + had + ", needs "
                    + Figures.count(g.getMinimumSample()));
        }
        boolean breached = g.getHigherIsWorse() ? rate > limit : rate < limit;
        String comparison = breached ? (g.getHigherIsWorse() ? " > " : " < ") : (g.getHigherIsWorse() ? " <= " : " >= ");
        return reading(g, breached ? GuardrailVerdict.BREACHED : GuardrailVerdict.HEALTHY, rate, denominator,
                what + comparison + Figures.percent(limit) + " % " + over);
    }

    // ------------------------------------------------------------------ REGRESSION

    static GuardrailReading regression(Guardrail g, PlanContext ctx, Measurement m) {
        String eventKey = require(g, g.getEventKey(), "eventKey");
        double limit = require(g, g.getLimit(), "limit");
        String treatment = require(g, ctx.treatment(), "a treatment variant (the plan names none and its flag is unknown)");
        String control = require(g, ctx.control(), "a control variant (the plan names none and its flag is unknown)");
        Proportion t = proportion(m.since(treatment, ctx.stepStartMs()), eventKey);
        Proportion c = proportion(m.since(control, ctx.stepStartMs()), eventKey);
        long sample = Math.min(t.users(), c.users());
        String rates = eventKey + " rate " + (t.users() == 0 ? "-" : Figures.percent(t.rate()) + " %") + " of users on variant "
                + treatment + " vs " + (c.users() == 0 ? "-" : Figures.percent(c.rate()) + " %") + " on " + control
                + " since step " + ctx.stepName() + " started";
        String tolerated = Figures.points(limit) + " point" + (limit == 0.01 ? "" : "s") + " tolerated";
        long needs = Math.max(1, g.getMinimumSample());
        if (c.users() == 0 && t.users() >= needs) {
            // a step that serves everyone the treatment (general, 100 %) has no control to compare with: nothing to check
            return reading(g, GuardrailVerdict.HEALTHY, null, t.users(), eventKey + " not compared: no users on variant " + control
                    + " since step " + ctx.stepName() + " started (" + Figures.users(t.users()) + " on " + treatment + ")");
        }
        if (t.users() < needs || c.users() < needs) {
            return reading(g, GuardrailVerdict.INSUFFICIENT, null, sample, rates + ": " + Figures.users(t.users()) + " on variant "
                    + treatment + " and " + Figures.count(c.users()) + " on " + control + ", needs " + Figures.count(needs) + " each");
        }
        double difference = t.rate() - c.rate();
        // how much worse the treatment is: higher rates are worse for errors, lower for conversions
        double sign = g.getHigherIsWorse() ? 1 : -1;
        SequentialResult result = AlwaysValid.proportions(c, t, ALPHA, AlwaysValid.DEFAULT_MIXING_VARIANCE);
        Interval ci = result.differenceCi();
        if (!ci.isDefined()) {
            // no variance (every user of both arms alike, e.g. none sent the event): the difference is all there is
            boolean worse = sign * difference > limit;
            return reading(g, worse ? GuardrailVerdict.BREACHED : GuardrailVerdict.HEALTHY, difference, sample, rates
                    + ": a difference of " + Figures.points(difference) + " points with no variance, "
                    + (worse ? "more than the " : "within the ") + tolerated);
        }
        double worstLow = Math.min(sign * ci.lower(), sign * ci.upper());
        double worstHigh = Math.max(sign * ci.lower(), sign * ci.upper());
        String interval = " by " + Figures.points(worstLow) + " to " + Figures.points(worstHigh) + " points (always-valid "
                + Math.round((1 - ALPHA) * 100) + " % interval)";
        if (worstLow > limit) {
            return reading(g, GuardrailVerdict.BREACHED, difference, sample, rates + ": variant " + treatment + " worse" + interval
                    + ", more than the " + tolerated);
        }
        if (worstHigh <= limit) {
            return reading(g, GuardrailVerdict.HEALTHY, difference, sample, rates + ": variant " + treatment + " worse" + interval
                    + ", within the " + tolerated);
        }
        return reading(g, GuardrailVerdict.INSUFFICIENT, difference, sample, rates + ": variant " + treatment + " worse" + interval
                + ", not yet decided against the " + tolerated);
    }

    private static Proportion proportion(Cell cell, String eventKey) {
        long users = cell.active();
        return new Proportion(users, Math.min(users, cell.users(eventKey)));
    }

    // ------------------------------------------------------------------ NO_TRAFFIC

    static GuardrailReading noTraffic(Guardrail g, PlanContext ctx, Measurement m) {
        long window = g.getWindowSeconds() * 1000L;
        long from = ctx.windowStart(g.getWindowSeconds());
        long exposed = m.anyExposedSince(from);
        if (exposed > 0) {
            return reading(g, GuardrailVerdict.HEALTHY, (double) exposed, exposed, Figures.users(exposed) + " exposed over "
                    + Figures.elapsed(ctx.nowMs() - from));
        }
        if (ctx.stepAgeMs() >= window) {
            return reading(g, GuardrailVerdict.BREACHED, 0.0, 0, "no exposures for " + Figures.duration(g.getWindowSeconds()));
        }
        return reading(g, GuardrailVerdict.INSUFFICIENT, 0.0, 0, "no exposures yet; step " + ctx.stepName() + " started "
                + Figures.elapsed(ctx.stepAgeMs()) + " ago, " + Figures.duration(g.getWindowSeconds()) + " allowed");
    }

    // ------------------------------------------------------------------ SAMPLE_RATIO

    static GuardrailReading sampleRatio(Guardrail g, PlanContext ctx, Measurement m) {
        List<String> flags = ctx.plan().getDefinition().getFlagKeys();
        if (flags.size() != 1) {
            return reading(g, GuardrailVerdict.HEALTHY, null, 0, "sample ratio not checked: a plan of " + flags.size()
                    + " flags (checked on plans of one flag)");
        }
        if (ctx.flag() == null) {
            return reading(g, GuardrailVerdict.ERROR, null, 0, "sample ratio: flag " + flags.get(0) + " is not known here yet");
        }
        String why = notAPercentageStep(ctx.flag().getDefinition());
        if (why != null) {
            // nothing to check on this step: it passes, so that a plan's other steps are not held up by it
            return reading(g, GuardrailVerdict.HEALTHY, null, 0, "sample ratio not checked: not a percentage step (" + why + ")");
        }
        List<WeightedVariant> arms = ctx.flag().getDefinition().getFallthrough().getSplit().getVariants().stream()
                .filter(w -> w.getWeight() > 0).toList();
        long[] observed = new long[arms.size()];
        double[] weights = new double[arms.size()];
        long total = 0;
        for (int i = 0; i < arms.size(); i++) {
            observed[i] = m.since(arms.get(i).getVariant(), ctx.stepStartMs()).firstExposed();
            weights[i] = arms.get(i).getWeight();
            total += observed[i];
        }
        long needs = Math.max(1, g.getMinimumSample());
        if (total < needs) {
            return reading(g, GuardrailVerdict.INSUFFICIENT, null, total, "sample ratio: " + Figures.users(total)
                    + " first exposed since step " + ctx.stepName() + " started, needs " + Figures.count(needs));
        }
        SampleRatioVerdict verdict = SampleRatio.check(observed, weights);
        StringBuilder split = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < arms.size(); i++) {
            split.append(i == 0 ? "" : " / ").append(arms.get(i).getVariant()).append(' ')
                    .append(Figures.percent((double) observed[i] / total)).append(" %");
            expected.append(i == 0 ? "" : " / ").append(Figures.weight(arms.get(i).getWeight()));
        }
        String text = split + " expected " + expected + " (" + Figures.pValue(verdict.pValue()) + ")";
        return verdict.mismatch()
                ? reading(g, GuardrailVerdict.BREACHED, verdict.pValue(), total, "sample ratio mismatch: " + text)
                : reading(g, GuardrailVerdict.HEALTHY, verdict.pValue(), total, "sample ratio " + text);
    }

    /** Why a flag does not serve everyone from its fallthrough split (null: it does). */
    static String notAPercentageStep(FlagDefinition d) {
        Serve fallthrough = d.getFallthrough();
        if (fallthrough.getSplit() == null) {
            return "the fallthrough serves variant " + fallthrough.getVariant() + " to everyone";
        }
        if (fallthrough.getSplit().getVariants().stream().filter(w -> w.getWeight() > 0).count() < 2) {
            return "the split serves one variant";
        }
        if (!d.getRules().isEmpty()) {
            return "rules serve some users outside the split";
        }
        if (!d.getAllowList().isEmpty() || !d.getDenyList().isEmpty()) {
            return "allow or deny lists serve some users outside the split";
        }
        if (!d.getPrerequisites().isEmpty()) {
            return "prerequisites serve some users the off variant";
        }
        return null;
    }

    // ------------------------------------------------------------------ PROMETHEUS

    /**
     * The query's latest reading against the limit. A reading that found no data (no series, or NaN:
     * errors over zero requests) is INSUFFICIENT, as for the other kinds; any other failure is ERROR.
     */
    static GuardrailReading prometheus(Guardrail g, PrometheusReadings prometheus) {
        String url = require(g, g.getPrometheusUrl(), "prometheusUrl");
        String query = require(g, g.getQuery(), "query");
        double limit = require(g, g.getLimit(), "limit");
        PrometheusReader.Reading read = prometheus.latest(url, query);
        if (read instanceof PrometheusReader.Reading.Failed failed) {
            boolean noData = failed.problem() == PrometheusReader.Problem.NO_SERIES
                    || failed.problem() == PrometheusReader.Problem.NOT_A_NUMBER;
            return reading(g, noData ? GuardrailVerdict.INSUFFICIENT : GuardrailVerdict.ERROR, null, 0, failed.sentence());
        }
        double value = ((PrometheusReader.Reading.Value) read).value();
        boolean breached = g.getHigherIsWorse() ? value > limit : value < limit;
        String comparison = breached ? (g.getHigherIsWorse() ? " > " : " < ") : (g.getHigherIsWorse() ? " <= " : " >= ");
        return reading(g, breached ? GuardrailVerdict.BREACHED : GuardrailVerdict.HEALTHY, value, 0,
                query + " = " + Figures.value(value) + comparison + Figures.value(limit));
    }

    // ------------------------------------------------------------------ helpers

    private static GuardrailReading reading(Guardrail g, GuardrailVerdict verdict, Double observed, long sample, String summary) {
        return GuardrailReading.newBuilder().setGuardrail(g.getName()).setKind(g.getKind()).setVerdict(verdict)
                .setObserved(observed == null || !Double.isFinite(observed) ? null : observed).setLimit(limitOf(g))
                .setSample(sample).setSummary(summary).build();
    }

    private static Double limitOf(Guardrail g) {
        return g.getKind() == GuardrailKind.SAMPLE_RATIO ? Double.valueOf(SampleRatio.THRESHOLD) : g.getLimit();
    }

    /** A guardrail the command-service let through without a part its kind needs: read as ERROR, saying which. */
    private static final class Incomplete extends RuntimeException {
        Incomplete(String message) {
            super(message, null, false, false);
        }
    }

    private static <T> T require(Guardrail g, T value, String what) {
        if (value == null) {
            throw new Incomplete("guardrail " + g.getName() + " (" + g.getKind() + ") cannot be read without " + what);
        }
        return value;
    }
}
