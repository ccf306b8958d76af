package io.flagplane.command.domain;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a flag definition hangs together before it is written: unique variant keys,
 * off and fallthrough variants that exist, splits whose weights add up, and size limits that
 * keep evaluators fast. Value types are checked where the JSON is read. Each refusal names the
 * field (a JSON path into the request) and says what is wrong.
 */
public final class DefinitionRules {

    public static final int MAX_VARIANTS = 50;
    public static final int MAX_TAGS = 20;
    public static final int MAX_DESCRIPTION = 2_000;
    public static final int MAX_OWNER = 200;
    public static final int TOTAL_WEIGHT = 10_000;

    private DefinitionRules() {
    }

    public static void check(FlagDefinition definition) {
        List<Variant> variants = definition.getVariants();
        if (variants.isEmpty()) {
            throw CommandException.invalid("variants", "a flag needs at least one variant");
        }
        if (variants.size() > MAX_VARIANTS) {
            throw CommandException.invalid("variants", "a flag may have at most " + MAX_VARIANTS + " variants, not "
                    + variants.size());
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < variants.size(); i++) {
            Names.checkVariantKey(variants.get(i).getKey(), "variants[" + i + "].key");
            if (!keys.add(variants.get(i).getKey())) {
                throw CommandException.invalid("variants[" + i + "].key", "variant key '" + variants.get(i).getKey()
                        + "' is used twice");
            }
        }
        requireVariant(keys, definition.getOffVariant(), "offVariant");
        checkServe(keys, definition.getFallthrough(), "fallthrough");
        if (definition.getDescription().length() > MAX_DESCRIPTION) {
            throw CommandException.invalid("description", "description is longer than " + MAX_DESCRIPTION + " characters");
        }
        if (definition.getTags().size() > MAX_TAGS) {
            throw CommandException.invalid("tags", "a flag may have at most " + MAX_TAGS + " tags");
        }
        for (int i = 0; i < definition.getTags().size(); i++) {
            Names.checkTag(definition.getTags().get(i), "tags[" + i + "]");
        }
        if (definition.getOwner() != null && definition.getOwner().length() > MAX_OWNER) {
            throw CommandException.invalid("owner", "owner is longer than " + MAX_OWNER + " characters");
        }
    }

    private static void requireVariant(Set<String> keys, String variant, String field) {
        if (variant == null || variant.isEmpty()) {
            throw CommandException.invalid(field, field + " is required and must name a variant");
        }
        if (!keys.contains(variant)) {
            throw CommandException.invalid(field, field + " names variant '" + variant + "', which the flag does not have "
                    + "(it has " + String.join(", ", keys.stream().sorted().toList()) + ")");
        }
    }

    /** A serve names exactly one existing variant, or is a split over existing variants adding up to 100%. */
    public static void checkServe(Set<String> keys, Serve serve, String field) {
        if (serve == null || (serve.getVariant() == null) == (serve.getSplit() == null)) {
            throw CommandException.invalid(field, field + " must have exactly one of \"variant\" or \"split\"");
        }
        if (serve.getVariant() != null) {
            requireVariant(keys, serve.getVariant(), field + ".variant");
            return;
        }
        Split split = serve.getSplit();
        if (split.getVariants().isEmpty()) {
            throw CommandException.invalid(field + ".split", "a split needs at least one variant");
        }
        int total = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < split.getVariants().size(); i++) {
            WeightedVariant weighted = split.getVariants().get(i);
            String path = field + ".split[" + i + "]";
            requireVariant(keys, weighted.getVariant(), path + ".variant");
            if (!seen.add(weighted.getVariant())) {
                throw CommandException.invalid(path + ".variant", "variant '" + weighted.getVariant() + "' appears twice in the split");
            }
            if (weighted.getWeight() < 0 || weighted.getWeight() > TOTAL_WEIGHT) {
                throw CommandException.invalid(path + ".weight", "a weight is between 0 and 100 percent");
            }
            total += weighted.getWeight();
        }
        if (total != TOTAL_WEIGHT) {
            throw CommandException.invalid(field + ".split", "split weights add up to " + total / 100.0
                    + " percent; they must add up to exactly 100");
        }
    }
}
