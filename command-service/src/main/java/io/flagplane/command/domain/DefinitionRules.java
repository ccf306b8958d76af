package io.flagplane.command.domain;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.evaluation.ConditionSpec;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.Operator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Checks that a flag or segment definition hangs together before it is written: unique variant
 * keys, serves that name existing variants, splits that add up to 100 %, rules whose operators
 * the engine knows and whose operands parse (the engine's own preparation is the judge), segments
 * that exist, and size limits that keep evaluators fast. Value types are checked where the JSON is
 * read. Each refusal names the field (a JSON path into the request) and says what is wrong.
 */
public final class DefinitionRules {

    public static final int MAX_VARIANTS = 50;
    public static final int MAX_TAGS = 20;
    public static final int MAX_DESCRIPTION = 2_000;
    public static final int MAX_OWNER = 200;
    public static final int MAX_RULES = 100;
    public static final int MAX_CONDITIONS = 20;
    public static final int MAX_VALUES = 1_000;
    public static final int MAX_VALUE_LENGTH = 1_024;
    public static final int MAX_ATTRIBUTE = 128;
    public static final int MAX_LIST_KEYS = 10_000;
    public static final int MAX_SEGMENT_KEYS = 50_000;
    public static final int MAX_TARGETING_KEY = 256;
    /** The Avro-encoded definition an evaluator holds per flag. */
    public static final int MAX_DEFINITION_BYTES = 256 * 1024;
    public static final int TOTAL_WEIGHT = 10_000;
    public static final int MAX_METADATA_ENTRIES = 32;
    public static final int MAX_METADATA_KEY = 64;
    public static final int MAX_METADATA_VALUE = 1_024;
    /** Bounds of a flag's own expected lifetime ({@code lifetimeDays}): a day to ten years. */
    public static final int MIN_LIFETIME_DAYS = 1;
    public static final int MAX_LIFETIME_DAYS = 3_650;

    static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** Keys evaluators write into an evaluation's metadata themselves (the last two when a prerequisite fails). */
    private static final Set<String> RESERVED_METADATA = Set.of("flagVersion", "environment", Evaluation.PREREQUISITE,
            Evaluation.REASON_DETAIL);
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0," + (MAX_METADATA_KEY - 1) + "}");

    private DefinitionRules() {
    }

    /**
     * Checks a whole flag definition. {@code segmentUsable} says whether a segment key names a
     * live segment of the flag's environment.
     */
    public static void check(FlagDefinition definition, Predicate<String> segmentUsable) {
        Integer lifetime = definition.getLifetimeDays();
        if (lifetime != null && (lifetime < MIN_LIFETIME_DAYS || lifetime > MAX_LIFETIME_DAYS)) {
            throw CommandException.invalid("lifetimeDays", "lifetimeDays is a whole number of days from " + MIN_LIFETIME_DAYS
                    + " to " + MAX_LIFETIME_DAYS + ", not " + lifetime + " (leave it out to keep the kind's lifetime)");
        }
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
        if (definition.getType() == FlagType.BOOLEAN && variants.size() != 2) {
            throw CommandException.invalid("variants", "a boolean flag has exactly two variants, one true and one false");
        }
        if (definition.getType() == FlagType.BOOLEAN && variants.get(0).getValueJson().equals(variants.get(1).getValueJson())) {
            throw CommandException.invalid("variants", "a boolean flag's two variants must be true and false");
        }
        if (definition.getOffVariant() != null) {   // none: the flag serves the caller's default when off
            requireVariant(keys, definition.getOffVariant(), "offVariant");
        }
        checkServe(keys, definition.getFallthrough(), "fallthrough");
        checkRules(definition.getRules(), keys, segmentUsable, "rules");
        checkMetadata(definition.getDescription(), definition.getTags(), definition.getOwner());
        checkLists(definition.getAllowList(), definition.getDenyList(), keys);
        checkFlagMetadata(definition.getMetadata());
        if (encodedSize(definition) > MAX_DEFINITION_BYTES) {
            throw CommandException.invalid(null, "the flag definition is larger than " + MAX_DEFINITION_BYTES / 1024
                    + " KiB; move long key lists into segments");
        }
    }

    /**
     * OpenFeature flag metadata travels with every evaluation (SDK, provider, OFREP), so it is
     * kept small: a few short entries, not a document.
     */
    static void checkFlagMetadata(Map<String, Object> metadata) {
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw CommandException.invalid("metadata", "metadata may have at most " + MAX_METADATA_ENTRIES + " entries, not "
                    + metadata.size());
        }
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            String key = e.getKey();
            if (!METADATA_KEY.matcher(key).matches()) {
                throw CommandException.invalid("metadata", "metadata key '" + Names.abbreviate(key) + "' must be 1–"
                        + MAX_METADATA_KEY + " letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            if (RESERVED_METADATA.contains(key)) {
                throw CommandException.invalid("metadata." + key, key + " is reserved: evaluators put the flag's version and"
                        + " environment there (flagVersion, environment)");
            }
            if (e.getValue() instanceof String text && text.length() > MAX_METADATA_VALUE) {
                throw CommandException.invalid("metadata." + key, "metadata." + key + " is longer than " + MAX_METADATA_VALUE
                        + " characters");
            }
        }
    }

    public static void checkMetadata(String description, List<String> tags, String owner) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw CommandException.invalid("description", "description is longer than " + MAX_DESCRIPTION + " characters");
        }
        if (tags.size() > MAX_TAGS) {
            throw CommandException.invalid("tags", "a flag may have at most " + MAX_TAGS + " tags");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tags.size(); i++) {
            Names.checkTag(tags.get(i), "tags[" + i + "]");
            if (!seen.add(tags.get(i))) {
                throw CommandException.invalid("tags[" + i + "]", "tag '" + tags.get(i) + "' is listed twice");
            }
        }
        if (owner != null && owner.length() > MAX_OWNER) {
            throw CommandException.invalid("owner", "owner is longer than " + MAX_OWNER + " characters");
        }
    }

    private static void checkLists(List<Target> allow, List<String> deny, Set<String> variants) {
        Set<String> allowed = new HashSet<>();
        int total = 0;
        for (int i = 0; i < allow.size(); i++) {
            Target target = allow.get(i);
            requireVariant(variants, target.getVariant(), "allowList[" + i + "].variant");
            total += target.getKeys().size();
            checkKeys(target.getKeys(), "allowList[" + i + "].keys");
            for (String key : target.getKeys()) {
                if (!allowed.add(key)) {
                    throw CommandException.invalid("allowList[" + i + "].keys", "key '" + key
                            + "' is on the allow list of more than one variant");
                }
            }
        }
        if (total > MAX_LIST_KEYS) {
            throw CommandException.invalid("allowList", "the allow list holds " + total + " keys; at most " + MAX_LIST_KEYS
                    + " (use a segment for more)");
        }
        if (deny.size() > MAX_LIST_KEYS) {
            throw CommandException.invalid("denyList", "the deny list holds " + deny.size() + " keys; at most " + MAX_LIST_KEYS
                    + " (use a segment for more)");
        }
        checkKeys(deny, "denyList");
        for (String key : deny) {
            if (allowed.contains(key)) {
                throw CommandException.invalid("denyList", "key '" + key + "' is on both the allow and the deny list");
            }
        }
    }

    /** Targeting keys: non-empty, at most {@value #MAX_TARGETING_KEY} characters, no duplicates. */
    public static void checkKeys(List<String> keys, String field) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (key == null || key.isEmpty() || key.length() > MAX_TARGETING_KEY) {
                throw CommandException.invalid(field + "[" + i + "]", "a targeting key is 1 to " + MAX_TARGETING_KEY + " characters");
            }
            if (!seen.add(key)) {
                throw CommandException.invalid(field + "[" + i + "]", "key '" + key + "' is listed twice");
            }
        }
    }

    /** Rule ids unique; every condition sound (by the engine's own preparation); every serve valid. */
    public static void checkRules(List<Rule> rules, Set<String> variants, Predicate<String> segmentUsable, String field) {
        if (rules.size() > MAX_RULES) {
            throw CommandException.invalid(field, "a flag may have at most " + MAX_RULES + " rules");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            String path = field + "[" + i + "]";
            if (rule.getId() == null || !RULE_ID.matcher(rule.getId()).matches()) {
                throw CommandException.invalid(path + ".id", "rule id '" + rule.getId()
                        + "' is not allowed: use letters, digits, '_', '.' and '-' (at most 64 characters)");
            }
            if (!ids.add(rule.getId())) {
                throw CommandException.invalid(path + ".id", "rule id '" + rule.getId() + "' is used twice");
            }
            checkConditions(rule.getConditions(), segmentUsable, path + ".conditions");
            checkServe(variants, rule.getServe(), path + ".serve");
        }
    }

    static void checkConditions(List<Condition> conditions, Predicate<String> segmentUsable, String field) {
        if (conditions.isEmpty()) {
            throw CommandException.invalid(field, "a rule needs at least one condition");
        }
        if (conditions.size() > MAX_CONDITIONS) {
            throw CommandException.invalid(field, "a rule may have at most " + MAX_CONDITIONS + " conditions");
        }
        for (int c = 0; c < conditions.size(); c++) {
            Condition condition = conditions.get(c);
            String path = field + "[" + c + "]";
            if (condition.getAttribute() == null || condition.getAttribute().isEmpty()
                    || condition.getAttribute().length() > MAX_ATTRIBUTE) {
                throw CommandException.invalid(path + ".attribute", "attribute is required (at most " + MAX_ATTRIBUTE
                        + " characters)");
            }
            Operator operator = Operator.parse(condition.getOperator());
            if (operator == null) {
                throw CommandException.invalid(path + ".operator", "operator '" + condition.getOperator()
                        + "' is not one of " + java.util.Arrays.stream(Operator.values()).map(Operator::wireName).toList());
            }
            List<String> values = condition.getValues();
            if (values.isEmpty() || values.size() > MAX_VALUES) {
                throw CommandException.invalid(path + ".values", operator.wireName() + " needs 1 to " + MAX_VALUES + " values");
            }
            for (int v = 0; v < values.size(); v++) {
                if (values.get(v) == null || values.get(v).length() > MAX_VALUE_LENGTH) {
                    throw CommandException.invalid(path + ".values[" + v + "]", "a value is at most " + MAX_VALUE_LENGTH
                            + " characters");
                }
            }
            String problem = new ConditionSpec(condition.getAttribute(), condition.getOperator(), values).problem();
            if (problem != null) {
                throw CommandException.invalid(path + ".values", problem);
            }
            if (operator == Operator.IN_SEGMENT) {
                for (int v = 0; v < values.size(); v++) {
                    if (!segmentUsable.test(values.get(v))) {
                        throw new CommandException(ErrorCode.SEGMENT_NOT_FOUND, path + ".values[" + v + "]", "segment '"
                                + values.get(v) + "' does not exist in this environment or is archived");
                    }
                }
            }
        }
    }

    /** A segment's definition: keys, rules (which may name other live segments). */
    public static void checkSegment(SegmentDefinition definition, String segmentKey, Predicate<String> segmentUsable) {
        if (definition.getDescription().length() > MAX_DESCRIPTION) {
            throw CommandException.invalid("description", "description is longer than " + MAX_DESCRIPTION + " characters");
        }
        for (String list : List.of("included", "excluded")) {
            List<String> keys = list.equals("included") ? definition.getIncluded() : definition.getExcluded();
            if (keys.size() > MAX_SEGMENT_KEYS) {
                throw CommandException.invalid(list, list + " holds " + keys.size() + " keys; at most " + MAX_SEGMENT_KEYS);
            }
            checkKeys(keys, list);
        }
        if (definition.getRules().size() > MAX_RULES) {
            throw CommandException.invalid("rules", "a segment may have at most " + MAX_RULES + " rules");
        }
        Predicate<String> notItself = key -> !key.equals(segmentKey) && segmentUsable.test(key);
        List<SegmentRule> rules = definition.getRules();
        for (int i = 0; i < rules.size(); i++) {
            checkConditions(rules.get(i).getConditions(), notItself, "rules[" + i + "].conditions");
        }
        if (definition.getIncluded().isEmpty() && rules.isEmpty()) {
            throw CommandException.invalid("included", "a segment needs included keys or rules, or nobody is ever in it");
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
        if (split.getBucketBy() != null && (split.getBucketBy().isEmpty() || split.getBucketBy().length() > MAX_ATTRIBUTE)) {
            throw CommandException.invalid(field + ".bucketBy", "bucketBy names a context attribute (1 to " + MAX_ATTRIBUTE
                    + " characters)");
        }
    }

    static int encodedSize(FlagDefinition definition) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(FlagDefinition.class).write(definition, encoder);
            encoder.flush();
            return out.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
