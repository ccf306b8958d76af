package io.flagplane.projection.experiments;

import io.flagplane.statistics.AlwaysValid;
import io.flagplane.statistics.MeanComparison;
import io.flagplane.statistics.Proportion;
import io.flagplane.statistics.ProportionComparison;
import io.flagplane.statistics.SampleRatio;
import io.flagplane.statistics.SampleRatioVerdict;
import io.flagplane.statistics.SequentialResult;
import io.flagplane.statistics.Summary;
import io.flagplane.statistics.TwoProportionTest;
import io.flagplane.statistics.WelchTest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * An experiment's results from its totals: per arm and metric the users, conversions, rate, and for
 * value metrics the mean and variance; each treatment arm against the control, with the
 * fixed-horizon test (two-proportion z with pooled SE, or Welch's t) and the always-valid one
 * (mSPRT, valid however often it is looked at); the sample-ratio check against the arms' weights;
 * and whether every arm has reached the metric's minimum sample. The one place the projection
 * calls the statistics module; O(arms × metrics), so a results query costs the same at ten users
 * or ten million.
 */
public final class ExperimentAnalysis {

    /** Coverage of the fixed-horizon intervals. */
    public static final double CONFIDENCE = 0.95;
    /** The false-positive rate both kinds of result are held to. */
    public static final double ALPHA = 1 - CONFIDENCE;

    private ExperimentAnalysis() {
    }

    /** One arm's figures on one metric. {@code value} is null for conversion metrics. */
    public record ArmFigures(String variant, long users, long conversions, double rate, Summary value, double sum) {
    }

    /**
     * A treatment against the control on one metric: {@code proportions} for a conversion metric,
     * {@code means} for a value metric (the other null), and the always-valid result.
     */
    public record Comparison(String variant, String control, ProportionComparison proportions, MeanComparison means,
                             SequentialResult alwaysValid) {

        public double pValue() {
            return proportions != null ? proportions.pValue() : means.pValue();
        }

        /** Significant by the fixed-horizon test at {@link #ALPHA}: valid once, at a sample size fixed in advance. */
        public boolean significant() {
            return pValue() < ALPHA;
        }
    }

    public record MetricResult(ExperimentSpec.Metric metric, boolean primary, boolean enoughData, List<ArmFigures> arms,
                               List<Comparison> comparisons) {
    }

    /**
     * @param sampleRatio null while no user is counted
     * @param enoughData  every arm has at least each metric's minimum sample
     */
    public record Results(ExperimentSpec spec, ExperimentTotals totals, SampleRatioVerdict sampleRatio, boolean enoughData,
                          List<MetricResult> metrics) {
    }

    public static Results analyse(ExperimentSpec spec, ExperimentTotals totals) {
        List<MetricResult> metrics = new ArrayList<>();
        boolean enough = true;
        for (int i = 0; i < spec.metrics().size(); i++) {
            MetricResult result = metric(spec, totals, i);
            enough &= result.enoughData();
            metrics.add(result);
        }
        return new Results(spec, totals, sampleRatio(spec, totals), enough, metrics);
    }

    private static MetricResult metric(ExperimentSpec spec, ExperimentTotals totals, int i) {
        ExperimentSpec.Metric metric = spec.metrics().get(i);
        List<ArmFigures> arms = new ArrayList<>();
        boolean enough = true;
        ArmFigures control = null;
        for (ExperimentSpec.Arm arm : spec.arms()) {
            ArmFigures figures = figures(arm.variant(), totals.variant(arm.variant()), i, metric);
            arms.add(figures);
            enough &= figures.users() >= metric.minimumSample();
            if (arm.variant().equals(spec.control())) {
                control = figures;
            }
        }
        List<Comparison> comparisons = new ArrayList<>();
        for (ArmFigures treatment : arms) {
            if (treatment != control) {
                comparisons.add(compare(metric, control, treatment));
            }
        }
        return new MetricResult(metric, i == 0, enough, arms, comparisons);
    }

    private static ArmFigures figures(String variant, ExperimentTotals.VariantTotals t, int i, ExperimentSpec.Metric metric) {
        long conversions = i < t.metrics() ? t.conversions()[i] : 0;
        double rate = t.users() == 0 ? Double.NaN : (double) conversions / t.users();
        if (metric.kind() == ExperimentSpec.Kind.CONVERSION) {
            return new ArmFigures(variant, t.users(), conversions, rate, null, Double.NaN);
        }
        long sum = i < t.metrics() ? t.sums()[i] : 0;
        Int128 squares = i < t.metrics() ? t.squares(i) : Int128.ZERO;
        return new ArmFigures(variant, t.users(), conversions, rate, summary(t.users(), sum, squares), Units.toDouble(sum));
    }

    /**
     * Mean and sample variance from exact integer sums (in units): {@code (nΣx² − (Σx)²) / (n(n − 1))}
     * computed in big integers, so nothing cancels; only the final division rounds.
     */
    static Summary summary(long n, long sumUnits, Int128 squaresUnits) {
        if (n == 0) {
            return new Summary(0, Double.NaN, Double.NaN);
        }
        double mean = sumUnits / (double) n / Units.SCALE;
        if (n == 1) {
            return new Summary(1, mean, Double.NaN);
        }
        BigInteger numerator = BigInteger.valueOf(n).multiply(squaresUnits.toBigInteger())
                .subtract(BigInteger.valueOf(sumUnits).pow(2));
        if (numerator.signum() < 0) {
            numerator = BigInteger.ZERO;   // cannot happen with exact sums; a guard, not a correction
        }
        double variance = new java.math.BigDecimal(numerator)
                .divide(new java.math.BigDecimal(BigInteger.valueOf(n).multiply(BigInteger.valueOf(n - 1))),
                        java.math.MathContext.DECIMAL64)
                .doubleValue() / (Units.SCALE * Units.SCALE);
        return new Summary(n, mean, variance);
    }

    private static Comparison compare(ExperimentSpec.Metric metric, ArmFigures control, ArmFigures treatment) {
        if (metric.kind() == ExperimentSpec.Kind.CONVERSION) {
            Proportion c = new Proportion(control.users(), control.conversions());
            Proportion t = new Proportion(treatment.users(), treatment.conversions());
            return new Comparison(treatment.variant(), control.variant(), TwoProportionTest.compare(c, t, CONFIDENCE), null,
                    AlwaysValid.proportions(c, t, ALPHA, AlwaysValid.DEFAULT_MIXING_VARIANCE));
        }
        return new Comparison(treatment.variant(), control.variant(), null,
                WelchTest.compare(control.value(), treatment.value(), CONFIDENCE),
                AlwaysValid.means(control.value(), treatment.value(), ALPHA, AlwaysValid.DEFAULT_MIXING_VARIANCE));
    }

    /** Users per arm against the arms' weights; arms weighted 0 take no users and are left out. Null with no users or one arm. */
    private static SampleRatioVerdict sampleRatio(ExperimentSpec spec, ExperimentTotals totals) {
        List<ExperimentSpec.Arm> weighted = spec.arms().stream().filter(a -> a.weight() > 0).toList();
        long[] observed = new long[weighted.size()];
        double[] weights = new double[weighted.size()];
        long all = 0;
        for (int a = 0; a < observed.length; a++) {
            observed[a] = totals.variant(weighted.get(a).variant()).users();
            weights[a] = weighted.get(a).weight();
            all += observed[a];
        }
        if (all == 0 || observed.length < 2) {
            return null;
        }
        return SampleRatio.check(observed, weights);
    }
}
