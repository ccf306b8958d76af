package io.flagplane.projection.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.statistics.Summary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Results from totals: which arm is the control, the direction of every comparison, SRM, "not enough data", exact variance. */
class ExperimentAnalysisTest {

    /** Totals as if {@code users} users were counted in {@code variant}, {@code converted} of them converting. */
    private static ExperimentTotals add(ExperimentTotals totals, ExperimentSpec spec, String variant, int users, int converted) {
        for (int u = 0; u < users; u++) {
            long[] counts = new long[spec.metrics().size()];
            long[] sums = new long[spec.metrics().size()];
            counts[0] = u < converted ? 1 : 0;
            totals = totals.apply(new UserFold.Delta(Experiments.KEY, Experiments.FLAG, null,
                    new Contribution(variant, false, counts, sums), variant), spec);
        }
        return totals;
    }

    @Test
    void each_treatment_is_compared_against_the_control_with_both_kinds_of_result() {
        ExperimentSpec spec = Experiments.pricingDisplayTest().conversion("booking_confirmed", 168).spec();
        ExperimentTotals totals = add(ExperimentTotals.empty(Experiments.FLAG), spec, "control", 2_000, 200);
        totals = add(totals, spec, "upfront-fees", 2_000, 260);

        ExperimentAnalysis.Results results = ExperimentAnalysis.analyse(spec, totals);
        ExperimentAnalysis.MetricResult primary = results.metrics().get(0);
        assertThat(primary.primary()).isTrue();
        assertThat(primary.arms()).extracting(ExperimentAnalysis.ArmFigures::rate).containsExactly(0.10, 0.13);
        ExperimentAnalysis.Comparison c = primary.comparisons().get(0);
        assertThat(c.variant()).isEqualTo("upfront-fees");
        assertThat(c.control()).isEqualTo("control");
        assertThat(c.proportions().difference()).isCloseTo(0.03, within(1e-12));
        assertThat(c.proportions().relativeLift()).isCloseTo(0.30, within(1e-12));
        // pooled z by hand: p = 0.115, se = sqrt(p(1-p)(2/2000))
        double se = Math.sqrt(0.115 * 0.885 * (2.0 / 2_000));
        assertThat(c.proportions().z()).isCloseTo(0.03 / se, within(1e-9));
        assertThat(c.significant()).isTrue();
        assertThat(c.alwaysValid().differenceCi().lower()).as("the always-valid interval is wider")
                .isLessThan(c.proportions().differenceCi().lower());
        assertThat(results.enoughData()).isTrue();
        assertThat(results.sampleRatio().mismatch()).isFalse();
    }

    @Test
    void the_control_is_the_one_the_definition_names_else_the_first_arm() {
        ExperimentSpec named = Experiments.pricingDisplayTest().control("upfront-fees").spec();
        assertThat(named.control()).isEqualTo("upfront-fees");
        assertThat(Experiments.pricingDisplayTest().spec().control()).isEqualTo("control");
        assertThat(Experiments.pricingDisplayTest().control("no-such-arm").spec().control()).isEqualTo("control");
    }

    @Test
    void a_split_far_from_the_configured_weights_is_a_sample_ratio_mismatch() {
        ExperimentSpec spec = Experiments.pricingDisplayTest().spec();
        ExperimentTotals totals = add(ExperimentTotals.empty(Experiments.FLAG), spec, "control", 1_000, 0);
        totals = add(totals, spec, "upfront-fees", 1_200, 0);
        assertThat(ExperimentAnalysis.analyse(spec, totals).sampleRatio().mismatch()).isTrue();

        ExperimentSpec uneven = Experiments.pricingDisplayTest().arms(new WeightedVariant("control", 8_000),
                new WeightedVariant("upfront-fees", 2_000)).spec();
        ExperimentTotals matching = add(ExperimentTotals.empty(Experiments.FLAG), uneven, "control", 800, 0);
        matching = add(matching, uneven, "upfront-fees", 200, 0);
        assertThat(ExperimentAnalysis.analyse(uneven, matching).sampleRatio().mismatch()).as("80/20 as configured").isFalse();
    }

    @Test
    void below_the_minimum_sample_in_any_arm_there_is_not_enough_data_yet() {
        ExperimentSpec spec = Experiments.pricingDisplayTest().conversion("booking_confirmed", 168).minimumSample(500).spec();
        ExperimentTotals totals = add(ExperimentTotals.empty(Experiments.FLAG), spec, "control", 600, 60);
        totals = add(totals, spec, "upfront-fees", 499, 50);
        assertThat(ExperimentAnalysis.analyse(spec, totals).enoughData()).isFalse();
        assertThat(ExperimentAnalysis.analyse(spec, add(totals, spec, "upfront-fees", 1, 0)).enoughData()).isTrue();
        assertThat(Experiments.pricingDisplayTest().spec().metrics().get(0).minimumSample())
                .as("no minimum given: seed 003's 100").isEqualTo(100);
    }

    @Test
    void no_users_gives_no_sample_ratio_verdict_and_undefined_rates() {
        ExperimentSpec spec = Experiments.pricingDisplayTest().spec();
        ExperimentAnalysis.Results results = ExperimentAnalysis.analyse(spec, ExperimentTotals.empty(Experiments.FLAG));
        assertThat(results.sampleRatio()).isNull();
        assertThat(results.metrics().get(0).arms().get(0).rate()).isNaN();
        assertThat(results.enoughData()).isFalse();
    }

    @Test
    void mean_and_variance_of_a_value_metric_come_exactly_from_the_integer_sums() {
        List<Double> values = List.of(1_000_000.01, 1_000_000.02, 1_000_000.03, 1_000_000.07);
        long sum = 0;
        Int128 squares = Int128.ZERO;
        for (double v : values) {
            sum += Units.of(v);
            squares = squares.plus(Int128.square(Units.of(v)));
        }
        Summary summary = ExperimentAnalysis.summary(values.size(), sum, squares);
        // deviations from 1,000,000.0325: -0.0225, -0.0125, -0.0025, 0.0375; squares sum to 0.002075. A two-pass
        // computation in doubles at this magnitude is off by ~1.6e-12; the integer sums are not
        assertThat(summary.mean()).isCloseTo(1_000_000.0325, within(1e-9));
        assertThat(summary.variance()).isCloseTo(0.002075 / 3, within(1e-18));
        assertThat(ExperimentAnalysis.summary(1, sum, squares).variance()).isNaN();
    }

    @Test
    void value_metrics_are_compared_with_welch() {
        ExperimentSpec spec = Experiments.pricingDisplayTest().value("revenue", ValueAggregation.SUM, 168).spec();
        ExperimentTotals totals = ExperimentTotals.empty(Experiments.FLAG);
        for (int u = 0; u < 300; u++) {
            for (String variant : List.of("control", "upfront-fees")) {
                long value = Units.of((u % 10) + (variant.equals("control") ? 0 : 2));
                totals = totals.apply(new UserFold.Delta(Experiments.KEY, Experiments.FLAG, null,
                        new Contribution(variant, false, new long[]{1}, new long[]{value}), null), spec);
            }
        }
        ExperimentAnalysis.Comparison c = ExperimentAnalysis.analyse(spec, totals).metrics().get(0).comparisons().get(0);
        assertThat(c.proportions()).isNull();
        assertThat(c.means().difference()).isCloseTo(2.0, within(1e-9));
        assertThat(c.means().pValue()).isLessThan(0.001);
    }
}
