package io.flagplane.statistics;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise of {@link AlwaysValid}, simulated: experiments looked at after every batch of users and
 * stopped at the first significant look. With no real difference (A/A), the always-valid test
 * declares one at most α of the time, while the fixed-horizon test looked at the same way declares
 * one far more often; with a real difference, the always-valid test still finds it.
 *
 * <p>Seeded, so every run sees the same experiments; 50 looks of 200 users per arm, i.e. up to
 * 10,000 users per arm, the size {@link AlwaysValid#DEFAULT_MIXING_VARIANCE} is tuned for.
 */
class PeekingSimulationTest {

    private static final double ALPHA = 0.05;
    private static final int LOOKS = 50;
    private static final int USERS_PER_LOOK = 200;
    private static final int NULL_RUNS = 2000;
    private static final int POWER_RUNS = 500;

    /** α plus three standard errors of a rate estimated from {@link #NULL_RUNS} experiments. */
    private static final double NOMINAL_WITH_MARGIN = ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / NULL_RUNS);

    /** How often each test was ever significant across the looks of one simulated batch of experiments. */
    private record EverSignificant(double alwaysValid, double fixedHorizon) {
    }

    @Test
    void peeking_at_conversion_rates_inflates_the_fixed_horizon_test_but_not_the_always_valid_one() {
        EverSignificant rates = simulateConversions(101, NULL_RUNS, 0.10, 0.10);
        System.out.printf("A/A conversions 10%%, %d runs x %d looks x %d users per arm: always-valid %.4f, "
                + "fixed-horizon z-test %.4f%n", NULL_RUNS, LOOKS, USERS_PER_LOOK, rates.alwaysValid(), rates.fixedHorizon());

        assertThat(rates.alwaysValid()).isLessThanOrEqualTo(NOMINAL_WITH_MARGIN);
        assertThat(rates.fixedHorizon()).isGreaterThan(0.15);
    }

    @Test
    void the_always_valid_test_finds_a_real_lift_in_conversion_rate() {
        EverSignificant rates = simulateConversions(202, POWER_RUNS, 0.10, 0.12);
        System.out.printf("A/B conversions 10%% vs 12%%, %d runs: always-valid power %.4f, fixed-horizon (peeking) %.4f%n",
                POWER_RUNS, rates.alwaysValid(), rates.fixedHorizon());

        assertThat(rates.alwaysValid()).isGreaterThan(0.8);
    }

    @Test
    void peeking_at_means_inflates_the_fixed_horizon_test_but_not_the_always_valid_one() {
        EverSignificant rates = simulateMeans(303, NULL_RUNS, 10, 10);
        System.out.printf("A/A exponential means 10, %d runs x %d looks x %d users per arm: always-valid %.4f, "
                + "fixed-horizon Welch %.4f%n", NULL_RUNS, LOOKS, USERS_PER_LOOK, rates.alwaysValid(), rates.fixedHorizon());

        assertThat(rates.alwaysValid()).isLessThanOrEqualTo(NOMINAL_WITH_MARGIN);
        assertThat(rates.fixedHorizon()).isGreaterThan(0.15);
    }

    @Test
    void the_always_valid_test_finds_a_real_lift_in_a_mean() {
        EverSignificant rates = simulateMeans(404, POWER_RUNS, 10, 10.6);
        System.out.printf("A/B exponential means 10 vs 10.6, %d runs: always-valid power %.4f, fixed-horizon (peeking) %.4f%n",
                POWER_RUNS, rates.alwaysValid(), rates.fixedHorizon());

        assertThat(rates.alwaysValid()).isGreaterThan(0.8);
    }

    private static EverSignificant simulateConversions(long seed, int runs, double rateControl, double rateTreatment) {
        SplittableRandom random = new SplittableRandom(seed);
        int alwaysValidHits = 0;
        int fixedHits = 0;
        for (int run = 0; run < runs; run++) {
            long controlConversions = 0;
            long treatmentConversions = 0;
            SequentialMonitor monitor = SequentialMonitor.start(ALPHA);
            boolean fixedEver = false;
            for (int look = 1; look <= LOOKS && !(fixedEver && monitor.significant()); look++) {
                controlConversions += binomial(random, USERS_PER_LOOK, rateControl);
                treatmentConversions += binomial(random, USERS_PER_LOOK, rateTreatment);
                Proportion control = new Proportion((long) look * USERS_PER_LOOK, controlConversions);
                Proportion treatment = new Proportion((long) look * USERS_PER_LOOK, treatmentConversions);

                monitor = monitor.observe(AlwaysValid.proportions(control, treatment, ALPHA,
                        AlwaysValid.DEFAULT_MIXING_VARIANCE));
                fixedEver |= TwoProportionTest.compare(control, treatment, 1 - ALPHA).pValue() < ALPHA;
            }
            alwaysValidHits += monitor.significant() ? 1 : 0;
            fixedHits += fixedEver ? 1 : 0;
        }
        return new EverSignificant((double) alwaysValidHits / runs, (double) fixedHits / runs);
    }

    /** Exponentially distributed values (skewed, like revenue), summed as a stream would keep them. */
    private static EverSignificant simulateMeans(long seed, int runs, double meanControl, double meanTreatment) {
        SplittableRandom random = new SplittableRandom(seed);
        int alwaysValidHits = 0;
        int fixedHits = 0;
        for (int run = 0; run < runs; run++) {
            double[] control = new double[2];
            double[] treatment = new double[2];
            SequentialMonitor monitor = SequentialMonitor.start(ALPHA);
            boolean fixedEver = false;
            for (int look = 1; look <= LOOKS && !(fixedEver && monitor.significant()); look++) {
                addExponentials(random, meanControl, control);
                addExponentials(random, meanTreatment, treatment);
                long n = (long) look * USERS_PER_LOOK;
                Summary controlSummary = Summary.of(n, control[0], control[1]);
                Summary treatmentSummary = Summary.of(n, treatment[0], treatment[1]);

                monitor = monitor.observe(AlwaysValid.means(controlSummary, treatmentSummary, ALPHA,
                        AlwaysValid.DEFAULT_MIXING_VARIANCE));
                fixedEver |= WelchTest.compare(controlSummary, treatmentSummary, 1 - ALPHA).pValue() < ALPHA;
            }
            alwaysValidHits += monitor.significant() ? 1 : 0;
            fixedHits += fixedEver ? 1 : 0;
        }
        return new EverSignificant((double) alwaysValidHits / runs, (double) fixedHits / runs);
    }

    private static long binomial(SplittableRandom random, int trials, double rate) {
        long successes = 0;
        for (int i = 0; i < trials; i++) {
            if (random.nextDouble() < rate) {
                successes++;
            }
        }
        return successes;
    }

    private static void addExponentials(SplittableRandom random, double mean, double[] sums) {
        for (int i = 0; i < USERS_PER_LOOK; i++) {
            double x = -mean * Math.log(1 - random.nextDouble());
            sums[0] += x;
            sums[1] += x * x;
        }
    }
}
