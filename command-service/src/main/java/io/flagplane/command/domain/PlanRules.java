package io.flagplane.command.domain;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.Variant;
import io.flagplane.contract.PlanRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a rollout plan's definition must be: the checks of its shape (steps, hold times, guardrails
 * whose fields fit their kind, the commands of each step as commands) and of its fit with the
 * flags as they are (they exist, carry the tag, run no other plan, have the measured variants, and
 * each step changes only them). Pure: no I/O, no clock.
 */
public final class PlanRules {

    public static final int MAX_FLAGS = 50;
    public static final int MAX_STEPS = 20;
    public static final int MAX_STEP_COMMANDS = 200;
    public static final int MAX_GUARDRAILS = 20;
    public static final int MAX_DESCRIPTION = 4_000;
    public static final int MAX_QUERY = 4_000;
    public static final int MAX_URL = 2_000;
    /** Ninety days: a hold longer than a quarter is a plan nobody is watching. */
    public static final long MAX_HOLD_SECONDS = 90L * 24 * 3600;
    public static final int MIN_WINDOW_SECONDS = 10;
    public static final int MAX_WINDOW_SECONDS = 86_400;

    /** Commands a step may hold: changes to the targeting of the plan's own flags. */
    private static final Set<Command.Kind> STEP_KINDS = EnumSet.of(Command.Kind.REPLACE_FLAG, Command.Kind.ENABLE,
            Command.Kind.DISABLE, Command.Kind.KILL, Command.Kind.REVIVE, Command.Kind.SET_ROLLOUT, Command.Kind.ALLOW_LIST,
            Command.Kind.DENY_LIST, Command.Kind.REPLACE_RULES, Command.Kind.SET_METADATA);

    private PlanRules() {
    }

    /** Everything about a definition that does not depend on the flags as they are. */
    static void checkShape(RolloutPlanDefinition definition, List<List<Command>> stepCommands) {
        if (definition.getDescription().length() > MAX_DESCRIPTION) {
            throw CommandException.invalid("description", "description is longer than " + MAX_DESCRIPTION + " characters");
        }
        List<String> flags = definition.getFlagKeys();
        if (flags.isEmpty() || flags.size() > MAX_FLAGS) {
            throw CommandException.invalid("flagKeys", "a plan changes 1 to " + MAX_FLAGS + " flags (flagKeys, or a tag),"
                    + " not " + flags.size());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < flags.size(); i++) {
            Names.checkFlagKey(flags.get(i), "flagKeys[" + i + "]");
            if (!seen.add(flags.get(i))) {
                throw CommandException.invalid("flagKeys[" + i + "]", "flag '" + flags.get(i) + "' is named twice");
            }
        }
        if (definition.getTag() != null) {
            Names.checkTag(definition.getTag(), "tag");
        }
        checkSteps(definition.getSteps(), stepCommands);
        checkGuardrails(definition.getGuardrails());
        if (definition.getControlVariant() != null) {
            Names.checkVariantKey(definition.getControlVariant(), "controlVariant");
        }
        if (definition.getTreatmentVariant() != null) {
            Names.checkVariantKey(definition.getTreatmentVariant(), "treatmentVariant");
            if (definition.getTreatmentVariant().equals(definition.getControlVariant())) {
                throw CommandException.invalid("treatmentVariant", "the treatment variant is the control variant; a guardrail"
                        + " compares two different variants");
            }
        }
    }

    private static void checkSteps(List<PlanStep> steps, List<List<Command>> stepCommands) {
        if (steps.isEmpty() || steps.size() > MAX_STEPS) {
            throw CommandException.invalid("steps", "a plan has 1 to " + MAX_STEPS + " steps, not " + steps.size());
        }
        if (stepCommands.size() != steps.size()) {
            throw new IllegalArgumentException("the parsed commands are for " + stepCommands.size() + " steps, the plan has "
                    + steps.size());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            PlanStep step = steps.get(i);
            String path = "steps[" + i + "]";
            Names.checkPlanPart(step.getName(), path + ".name", "step name", "beta");
            if (!names.add(step.getName())) {
                throw CommandException.invalid(path + ".name", "step name '" + step.getName() + "' is used twice; step names"
                        + " are unique within a plan");
            }
            if (step.getHoldSeconds() < 0 || step.getHoldSeconds() > MAX_HOLD_SECONDS) {
                throw CommandException.invalid(path + ".holdSeconds", path + ".holdSeconds is from 0 to " + MAX_HOLD_SECONDS
                        + " (90 days), not " + step.getHoldSeconds());
            }
            if (step.getMinimumSample() < 0) {
                throw CommandException.invalid(path + ".minimumSample", path + ".minimumSample is a number of exposed users,"
                        + " 0 or more");
            }
            List<Command> commands = stepCommands.get(i);
            if (commands.isEmpty() || commands.size() > MAX_STEP_COMMANDS) {
                throw CommandException.invalid(path + ".commands", "a step holds 1 to " + MAX_STEP_COMMANDS + " commands, not "
                        + commands.size());
            }
            for (int c = 0; c < commands.size(); c++) {
                Command command = commands.get(c);
                String at = path + ".commands[" + c + "]";
                if (!STEP_KINDS.contains(command.kind())) {
                    throw CommandException.invalid(at + ".action", "a step changes the targeting of the plan's own flags; '"
                            + command.kind().action() + "' is not one of " + STEP_KINDS.stream().map(Command.Kind::action)
                            .sorted().toList());
                }
                if (command.expectedVersion() != null) {
                    throw CommandException.invalid(at + ".expectedVersion", "a step's commands carry no expectedVersion: they"
                            + " apply to the flags as the step finds them, and the plan's version guards the step");
                }
                try {
                    Aggregates.precheck(command);
                } catch (CommandException e) {
                    throw e.under(at);
                }
            }
        }
    }

    private static void checkGuardrails(List<Guardrail> guardrails) {
        if (guardrails.size() > MAX_GUARDRAILS) {
            throw CommandException.invalid("guardrails", "a plan has at most " + MAX_GUARDRAILS + " guardrails");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < guardrails.size(); i++) {
            Guardrail g = guardrails.get(i);
            String path = "guardrails[" + i + "]";
            Names.checkPlanPart(g.getName(), path + ".name", "guardrail name", "error-rate");
            if (!names.add(g.getName())) {
                throw CommandException.invalid(path + ".name", "guardrail name '" + g.getName() + "' is used twice");
            }
            checkGuardrail(g, path);
        }
    }

    /** The fields a guardrail of each kind needs, and those it must leave out. */
    private static void checkGuardrail(Guardrail g, String path) {
        GuardrailKind kind = g.getKind();
        String kindName = kind.name().toLowerCase(Locale.ROOT);
        boolean measuresEvents = kind == GuardrailKind.THRESHOLD || kind == GuardrailKind.REGRESSION;
        if (measuresEvents) {
            if (g.getEventKey() == null) {
                throw CommandException.invalid(path + ".eventKey", "a " + kindName + " guardrail needs eventKey, the tracked"
                        + " event that counts (e.g. http_error)");
            }
            Names.checkTrackedEventKey(g.getEventKey(), path + ".eventKey");
        } else {
            absent(g.getEventKey(), path, "eventKey", kindName);
        }
        if (kind == GuardrailKind.THRESHOLD) {
            if (g.getPerEventKey() != null) {
                Names.checkTrackedEventKey(g.getPerEventKey(), path + ".perEventKey");
                if (g.getPerEventKey().equals(g.getEventKey())) {
                    throw CommandException.invalid(path + ".perEventKey", "perEventKey is the rate's denominator; it cannot be"
                            + " eventKey itself");
                }
            }
        } else {
            absent(g.getPerEventKey(), path, "perEventKey", kindName);
        }
        Double limit = g.getLimit();
        if (limit != null && !Double.isFinite(limit)) {
            throw CommandException.invalid(path + ".limit", path + ".limit must be a finite number");
        }
        switch (kind) {
            case THRESHOLD -> {
                if (limit == null || limit <= 0 || limit > 1) {
                    throw CommandException.invalid(path + ".limit", "a threshold guardrail's limit is the highest acceptable"
                            + " rate, above 0 and at most 1 (0.05 for 5 %), not " + limit);
                }
            }
            case REGRESSION -> {
                if (limit == null || limit < 0 || limit > 1) {
                    throw CommandException.invalid(path + ".limit", "a regression guardrail's limit is the tolerated difference"
                            + " between the variants' rates, from 0 to 1 (0.01 for one point), not " + limit);
                }
            }
            case SAMPLE_RATIO -> {
                if (limit != null && (limit <= 0 || limit >= 1)) {
                    throw CommandException.invalid(path + ".limit", "a sample-ratio guardrail's limit is the p-value below which"
                            + " the ratio is a mismatch, between 0 and 1 (leave it out for the default), not " + limit);
                }
            }
            case NO_TRAFFIC -> absent(limit, path, "limit", kindName);
            case PROMETHEUS -> {
                if (limit == null) {
                    throw CommandException.invalid(path + ".limit", "a prometheus guardrail needs limit, the value its query"
                            + " may not pass");
                }
            }
            default -> throw new IllegalArgumentException("unknown guardrail kind " + kind);
        }
        if (kind == GuardrailKind.PROMETHEUS) {
            checkUrl(g.getPrometheusUrl(), path + ".prometheusUrl");
            if (g.getQuery() == null || g.getQuery().isBlank() || g.getQuery().length() > MAX_QUERY) {
                throw CommandException.invalid(path + ".query", "a prometheus guardrail needs query, a PromQL instant query"
                        + " whose result is one number (at most " + MAX_QUERY + " characters)");
            }
        } else {
            absent(g.getPrometheusUrl(), path, "prometheusUrl", kindName);
            absent(g.getQuery(), path, "query", kindName);
        }
        if (g.getWindowSeconds() < MIN_WINDOW_SECONDS || g.getWindowSeconds() > MAX_WINDOW_SECONDS) {
            throw CommandException.invalid(path + ".windowSeconds", path + ".windowSeconds is from " + MIN_WINDOW_SECONDS
                    + " to " + MAX_WINDOW_SECONDS + " (a day), not " + g.getWindowSeconds());
        }
        if (g.getMinimumSample() < 0) {
            throw CommandException.invalid(path + ".minimumSample", path + ".minimumSample is 0 or more");
        }
    }

    private static void absent(Object value, String path, String field, String kind) {
        if (value != null) {
            throw CommandException.invalid(path + "." + field, "a " + kind + " guardrail has no " + field);
        }
    }

    private static void checkUrl(String url, String field) {
        String sentence = "a prometheus guardrail needs prometheusUrl, the server's http(s) base URL such as http://prometheus:9090";
        if (url == null || url.length() > MAX_URL) {
            throw CommandException.invalid(field, sentence);
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw CommandException.invalid(field, sentence + " (without credentials, query or fragment), not '"
                        + Names.abbreviate(url) + "'");
            }
        } catch (URISyntaxException e) {
            throw CommandException.invalid(field, sentence + ", not '" + Names.abbreviate(url) + "'");
        }
    }

    /**
     * The definition against the flags as they are: each exists and is live, carries the tag the
     * plan names, runs no other plan; the measured variants are variants of each; and each step
     * changes only the plan's flags, in the plan's environment.
     */
    static void checkAgainst(ReadModel model, PlanRef plan, RolloutPlanDefinition definition, List<List<Command>> stepCommands) {
        List<String> flags = definition.getFlagKeys();
        for (int i = 0; i < flags.size(); i++) {
            String field = "flagKeys[" + i + "]";
            FlagState flag = model.flag(plan.environment(), flags.get(i));
            if (flag == null) {
                throw new CommandException(ErrorCode.FLAG_NOT_FOUND, field, "flag '" + flags.get(i) + "' does not exist in"
                        + " environment '" + plan.environment() + "'");
            }
            if (flag.getArchived()) {
                throw CommandException.invalid(field, "flag '" + flags.get(i) + "' is archived; a plan changes live flags");
            }
            if (definition.getTag() != null && !flag.getDefinition().getTags().contains(definition.getTag())) {
                throw CommandException.invalid(field, "flag '" + flags.get(i) + "' does not carry the tag '" + definition.getTag()
                        + "' the plan names");
            }
            requireNoOtherPlan(plan, flag, field);
            checkVariant(flag, definition.getControlVariant(), "controlVariant");
            checkVariant(flag, definition.getTreatmentVariant(), "treatmentVariant");
        }
        Set<String> own = Set.copyOf(flags);
        for (int i = 0; i < stepCommands.size(); i++) {
            List<Command> commands = stepCommands.get(i);
            for (int c = 0; c < commands.size(); c++) {
                Command command = commands.get(c);
                String at = "steps[" + i + "].commands[" + c + "]";
                if (!command.environment().equals(plan.environment())) {
                    throw CommandException.invalid(at + ".environment", "a plan in '" + plan.environment() + "' changes only"
                            + " that environment (this command is for '" + command.environment() + "')");
                }
                String key = ((Command.OnFlag) command).flag().key();
                if (!own.contains(key)) {
                    throw CommandException.invalid(at + ".flag", "flag '" + key + "' is not one of the plan's flags " + flags
                            + "; a step changes only the flags the plan measures");
                }
            }
        }
    }

    /** A flag runs at most one plan at a time: refused, naming the other plan, when it runs (or pauses) another. */
    static void requireNoOtherPlan(PlanRef plan, FlagState flag, String field) {
        if (flag.getPlan() != null && !flag.getPlan().equals(plan.key())) {
            throw new CommandException(ErrorCode.PLAN_ALREADY_RUNNING, field, "flag '" + flag.getFlagKey() + "' is under"
                    + " rollout plan '" + flag.getPlan() + "', which is running or paused; a flag runs one plan at a time"
                    + " (complete, roll back or cancel '" + flag.getPlan() + "' first)", null, List.of(flag.getPlan()));
        }
    }

    private static void checkVariant(FlagState flag, String variant, String field) {
        if (variant == null) {
            return;
        }
        List<String> keys = flag.getDefinition().getVariants().stream().map(Variant::getKey).toList();
        if (!keys.contains(variant)) {
            throw CommandException.invalid(field, "variant '" + variant + "' is not a variant of flag '" + flag.getFlagKey()
                    + "' (it has " + keys + ")");
        }
    }
}
