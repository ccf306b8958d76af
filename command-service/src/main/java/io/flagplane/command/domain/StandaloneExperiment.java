package io.flagplane.command.domain;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagKind;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.AvroContract;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Seed 003's standalone experiment — a key, a description and variants with relative weights —
 * becomes an experiment on a flag made for it: a {@code string} flag of kind {@code experiment} whose
 * variants' values are their keys, whose off variant is the control (the first variant unless
 * named), and whose fallthrough is the split of the weights in basis points. The flag is created
 * disabled, so until the launch everyone gets the control (seed 003: nobody is assigned before an
 * experiment runs); the launch enables it.
 */
public final class StandaloneExperiment {

    static {
        AvroContract.trustGeneratedClasses();   // Avro builders resolve defaults through the generated classes
    }

    /** The flag a standalone experiment runs on is {@code experiment.<key>} unless it names one. */
    public static final String FLAG_PREFIX = "experiment.";
    public static final BigDecimal MAX_WEIGHT = BigDecimal.valueOf(1_000_000);
    public static final int MAX_WEIGHT_DECIMALS = 6;

    /** One variant of seed 003's shape: its key (also its value) and its relative weight. */
    public record Arm(String key, BigDecimal weight) {
    }

    private StandaloneExperiment() {
    }

    public static String flagKeyFor(String experimentKey) {
        return FLAG_PREFIX + experimentKey;
    }

    /** The flag definition, every part checked and each problem named by its path in seed 003's shape. */
    public static FlagDefinition flag(String flagKey, String description, List<Arm> arms, String controlVariant) {
        if (arms.size() < 2 || arms.size() > DefinitionRules.MAX_VARIANTS) {
            throw CommandException.invalid("variants", "an experiment needs 2 to " + DefinitionRules.MAX_VARIANTS
                    + " variants, not " + arms.size());
        }
        Set<String> keys = new HashSet<>();
        List<Variant> variants = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            String key = arms.get(i).key();
            Names.checkVariantKey(key, "variants[" + i + "].key");
            if (!keys.add(key)) {
                throw CommandException.invalid("variants[" + i + "].key", "variant '" + key + "' is listed twice");
            }
            variants.add(new Variant(key, "\"" + key + "\"", null));   // the key's characters need no JSON escaping
        }
        String control = controlVariant != null ? controlVariant : arms.get(0).key();
        if (!keys.contains(control)) {
            throw CommandException.invalid("controlVariant", "controlVariant '" + control + "' is not one of the variants "
                    + arms.stream().map(Arm::key).toList());
        }
        int[] points = basisPoints(arms.stream().map(Arm::weight).toList());
        List<WeightedVariant> split = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            split.add(new WeightedVariant(arms.get(i).key(), points[i]));
        }
        return FlagDefinition.newBuilder()
                .setType(FlagType.STRING)
                .setDescription(description)
                .setVariants(variants)
                .setOffVariant(control)
                .setFallthrough(Serve.newBuilder().setSplit(new Split(split, null)).build())
                .setSalt(flagKey)
                .setKind(FlagKind.EXPERIMENT)
                .build();
    }

    /**
     * Relative weights as basis points adding up to exactly {@value DefinitionRules#TOTAL_WEIGHT}, by
     * the largest remainder: each weight gets its exact share rounded down, and the points left over
     * go one each to the largest remainders, the earlier variant first on a tie (three equal weights:
     * 3334, 3333, 3333). A weight whose share rounds to nothing is refused rather than dropped.
     */
    public static int[] basisPoints(List<BigDecimal> weights) {
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < weights.size(); i++) {
            BigDecimal weight = weights.get(i);
            String field = "variants[" + i + "].weight";
            if (weight == null || weight.signum() <= 0 || weight.compareTo(MAX_WEIGHT) > 0) {
                throw CommandException.invalid(field, "a weight is a relative share above 0 and at most " + MAX_WEIGHT.toPlainString()
                        + " (weights need not add up to 100)");
            }
            if (weight.stripTrailingZeros().scale() > MAX_WEIGHT_DECIMALS) {
                throw CommandException.invalid(field, "a weight has at most " + MAX_WEIGHT_DECIMALS + " decimals");
            }
            total = total.add(weight);
        }
        BigDecimal scale = BigDecimal.valueOf(DefinitionRules.TOTAL_WEIGHT);
        int[] points = new int[weights.size()];
        BigDecimal[] remainders = new BigDecimal[weights.size()];
        int given = 0;
        for (int i = 0; i < weights.size(); i++) {
            BigDecimal exact = weights.get(i).multiply(scale).divide(total, 20, RoundingMode.DOWN);
            points[i] = exact.setScale(0, RoundingMode.DOWN).intValueExact();
            remainders[i] = exact.subtract(BigDecimal.valueOf(points[i]));
            given += points[i];
        }
        for (int left = DefinitionRules.TOTAL_WEIGHT - given; left > 0; left--) {
            int best = -1;
            for (int i = 0; i < weights.size(); i++) {
                if (remainders[i] != null && (best < 0 || remainders[i].compareTo(remainders[best]) > 0)) {
                    best = i;
                }
            }
            points[best]++;
            remainders[best] = null;   // one extra point each at most
        }
        for (int i = 0; i < points.length; i++) {
            if (points[i] == 0) {
                throw CommandException.invalid("variants[" + i + "].weight", "weight " + weights.get(i).toPlainString()
                        + " is too small next to the others: it would get less than 0.01 % of the traffic");
            }
        }
        return points;
    }
}
