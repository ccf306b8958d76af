package io.flagplane.statistics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code shared/golden/experiment-stats.json}: reference values computed independently with SciPy,
 * kept beside the repository (never copied in), bound strictly onto records.
 */
record GoldenValues(String about, List<ProportionCase> proportions, List<WelchCase> welch, List<SrmCase> srm) {

    /** The file's directory: the {@code flagplane.golden.dir} property the pom sets, or its default beside the repository. */
    static Path directory() {
        String configured = System.getProperty("flagplane.golden.dir");
        return configured != null ? Path.of(configured) : Path.of("../../../shared/golden");
    }

    static GoldenValues load() {
        Path file = directory().resolve("experiment-stats.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("golden values not found at " + file.toAbsolutePath()
                    + " (set -Dflagplane.golden.dir=…)");
        }
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        try {
            return mapper.readValue(file.toFile(), GoldenValues.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    record Arm(long users, long conversions) {
        Proportion proportion() {
            return new Proportion(users, conversions);
        }

        @Override
        public String toString() {
            return conversions + "/" + users;
        }
    }

    record ProportionCase(Arm control, Arm treatment, double rateControl, double rateTreatment, double zPooled,
                          double pValueTwoSided, double difference, double[] differenceCi95, double relativeLift,
                          double[] relativeLiftCi95) {
        @Override
        public String toString() {
            return control + " vs " + treatment;
        }
    }

    record Moments(long n, double mean, double variance) {
        Summary summary() {
            return new Summary(n, mean, variance);
        }

        @Override
        public String toString() {
            return "n=" + n + " mean=" + mean + " var=" + variance;
        }
    }

    record WelchCase(Moments control, Moments treatment, double t, double degreesOfFreedom, double pValueTwoSided,
                     double difference, double[] differenceCi95) {
        @Override
        public String toString() {
            return control + " vs " + treatment;
        }
    }

    record SrmCase(long[] observed, double[] weights, double chiSquare, int degreesOfFreedom, double pValue,
                   boolean mismatch) {
        @Override
        public String toString() {
            return java.util.Arrays.toString(observed) + " at weights " + java.util.Arrays.toString(weights);
        }
    }
}
