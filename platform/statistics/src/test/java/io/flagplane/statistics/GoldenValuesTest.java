package io.flagplane.statistics;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of {@code shared/golden/experiment-stats.json} (SciPy 1.17.1), matched to 1e-9 relative,
 * or 1e-12 absolute for p-values near 0.
 */
class GoldenValuesTest {

    private static final double CONFIDENCE = 0.95;

    private static GoldenValues golden;

    @BeforeAll
    static void load() {
        golden = GoldenValues.load();
    }

    static List<GoldenValues.ProportionCase> proportions() {
        return GoldenValues.load().proportions();
    }

    static List<GoldenValues.WelchCase> welch() {
        return GoldenValues.load().welch();
    }

    static List<GoldenValues.SrmCase> srm() {
        return GoldenValues.load().srm();
    }

    @Test
    void the_file_holds_every_section_it_promises() {
        assertThat(golden.about()).contains("SciPy").contains("pooled").contains("Welch").contains("p < 0.001");
        assertThat(golden.proportions()).hasSize(43);
        assertThat(golden.welch()).hasSize(41);
        assertThat(golden.srm()).hasSize(44);
    }

    @ParameterizedTest(name = "proportions {0}")
    @MethodSource("proportions")
    void two_proportion_test_matches_scipy(GoldenValues.ProportionCase golden) {
        ProportionComparison result = TwoProportionTest.compare(
                golden.control().proportion(), golden.treatment().proportion(), CONFIDENCE);

        Close.relative("rateControl", golden.rateControl(), result.rateControl());
        Close.relative("rateTreatment", golden.rateTreatment(), result.rateTreatment());
        Close.relative("z (pooled)", golden.zPooled(), result.z());
        Close.pValue("p-value", golden.pValueTwoSided(), result.pValue());
        Close.relative("difference", golden.difference(), result.difference());
        Close.interval("difference CI", golden.differenceCi95(), result.differenceCi());
        Close.relative("relative lift", golden.relativeLift(), result.relativeLift());
        Close.interval("relative lift CI", golden.relativeLiftCi95(), result.relativeLiftCi());
    }

    @ParameterizedTest(name = "welch {0}")
    @MethodSource("welch")
    void welch_test_matches_scipy(GoldenValues.WelchCase golden) {
        MeanComparison result = WelchTest.compare(golden.control().summary(), golden.treatment().summary(), CONFIDENCE);

        Close.relative("t", golden.t(), result.t());
        Close.relative("degrees of freedom", golden.degreesOfFreedom(), result.degreesOfFreedom());
        Close.pValue("p-value", golden.pValueTwoSided(), result.pValue());
        Close.relative("difference", golden.difference(), result.difference());
        Close.interval("difference CI", golden.differenceCi95(), result.differenceCi());
    }

    @ParameterizedTest(name = "srm {0}")
    @MethodSource("srm")
    void sample_ratio_check_matches_scipy(GoldenValues.SrmCase golden) {
        SampleRatioVerdict verdict = SampleRatio.check(golden.observed(), golden.weights());

        if (golden.chiSquare() == 0) {
            assertEquals(0.0, verdict.chiSquare(), "chi-square");
        } else {
            Close.relative("chi-square", golden.chiSquare(), verdict.chiSquare());
        }
        assertEquals(golden.degreesOfFreedom(), verdict.degreesOfFreedom(), "degrees of freedom");
        Close.pValue("p-value", golden.pValue(), verdict.pValue());
        assertEquals(golden.mismatch(), verdict.mismatch(), "mismatch");
    }
}
