package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Seed 001's verbs on a flag: {@code init}, {@code add-user}, {@code deploy <preset>},
 * {@code status}, {@code rollback}. The rollout is the command API's {@code seed-001} plan
 * preset; each step waits for a person's {@code deploy} (a go), as in the seed.
 */
final class SeedCommands {

    static final List<String> STEPS = List.of("internal", "beta", "expanded", "general");
    static final String PRESET = "seed-001";

    private SeedCommands() {
    }

    static String planKey(String flag) {
        return flag + "-rollout";
    }

    /** The flag's seed-001 plan: a live (running, paused) one first, then a draft, then the latest; null when none. */
    static JsonNode findPlan(Api api, String flag) {
        JsonNode plans = api.get(Api.Service.COMMAND, api.env() + "/plans").path("plans");
        JsonNode live = null;
        JsonNode draft = null;
        JsonNode latest = null;
        for (JsonNode plan : plans) {
            boolean mine = false;
            for (JsonNode key : plan.path("definition").path("flagKeys")) {
                mine |= key.asText().equals(flag);
            }
            if (!mine) {
                continue;
            }
            String status = plan.path("status").asText();
            if (status.equals("RUNNING") || status.equals("PAUSED")) {
                live = plan;
            } else if (status.equals("DRAFT")) {
                draft = plan;
            } else if (latest == null || plan.path("lastChange").path("at").asText().compareTo(
                    latest.path("lastChange").path("at").asText()) > 0) {
                latest = plan;
            }
        }
        return live != null ? live : draft != null ? draft : latest;
    }

    static boolean isFinal(JsonNode plan) {
        return plan == null || Set.of("COMPLETED", "ROLLED_BACK", "CANCELLED").contains(plan.path("status").asText());
    }

    /** The keys on the flag's allow list for its "on" variant (seed 001's internal users). */
    static List<String> allowed(JsonNode flag, String variant) {
        List<String> keys = new ArrayList<>();
        for (JsonNode target : flag.path("allowList")) {
            if (target.path("variant").asText().equals(variant)) {
                target.path("keys").forEach(k -> keys.add(k.asText()));
            }
        }
        return keys;
    }

    static String onVariant(JsonNode flag) {
        return flag.path("type").asText().equals("boolean") ? "on" : flag.path("fallthrough").path("variant").asText("on");
    }

    /** A fresh plan key: {@code <flag>-rollout}, or {@code -2}, {@code -3} … when an earlier rollout holds the name. */
    static String freshPlanKey(Api api, String flag) {
        Set<String> taken = new LinkedHashSet<>();
        api.get(Api.Service.COMMAND, api.env() + "/plans").path("plans").forEach(p -> taken.add(p.path("key").asText()));
        String key = planKey(flag);
        for (int n = 2; taken.contains(key); n++) {
            key = planKey(flag) + "-" + n;
        }
        return key;
    }

    /**
     * Drafts the seed-001 plan for the flag: the preset's steps with no hold time, each of the first
     * three waiting for a person's go (the next {@code deploy}). Returns the plan.
     */
    static JsonNode draft(Api api, String flag, List<String> internalUsers) {
        String key = freshPlanKey(api, flag);
        ObjectNode body = Api.body().put("key", key).put("preset", PRESET)
                .put("description", "seed 001: internal → beta → expanded → general, each step on a person's deploy")
                .put("reason", "flagplane: rollout plan for " + flag);
        body.putArray("flagKeys").add(flag);
        ObjectNode parameters = body.putObject("presetParameters");
        ArrayNode users = parameters.putArray("internalUsers");
        internalUsers.forEach(users::add);
        ObjectNode holds = parameters.putObject("holdSeconds");
        STEPS.forEach(step -> holds.put(step, 0));
        JsonNode created = api.post(Api.Service.COMMAND, api.env() + "/plans", body).path("plan");
        ObjectNode definition = created.path("definition").deepCopy();
        for (int i = 0; i < definition.path("steps").size() - 1; i++) {
            ((ObjectNode) definition.path("steps").get(i)).put("manualApproval", true);
        }
        return api.put(Api.Service.COMMAND, api.env() + "/plans/" + Api.enc(key), definition).path("plan");
    }

    static int stepIndex(String name) {
        return STEPS.indexOf(name);
    }

    static String stepSentence(String step) {
        return switch (step) {
            case "internal" -> "the internal users only (allow list)";
            case "beta" -> "10 % of tiers pro, enterprise";
            case "expanded" -> "50 % of tiers pro, enterprise";
            case "general" -> "100 % of everyone";
            default -> step;
        };
    }

    @Command(name = "init", sortOptions = false, description = {
            "Create a boolean flag, disabled (seed 001's Phase 1): rollout 0 %%, no tiers, no users.",
            "Its rollout plan (the command API's seed-001 preset) is drafted with the first add-user,",
            "since the plan's internal step needs the internal testers."},
            footerHeading = "%nExamples:%n", footer = {"  flagplane init checkout.new_ui --description 'the new checkout'",
            "  flagplane init checkout.new_ui 1 2 3     (and the internal users at once: drafts the plan now)"})
    static final class Init extends Base {
        @Parameters(index = "0", paramLabel = "FLAG", description = "the flag key, e.g. checkout.new_ui")
        String flag;

        @Parameters(index = "1..*", paramLabel = "USER", arity = "0..*", description = "internal users to add at once (optional)")
        List<String> users = new ArrayList<>();

        @Option(names = "--description", description = "what the flag is for")
        String description;

        @Option(names = "--tag", description = "a tag (repeatable)")
        List<String> tags = new ArrayList<>();

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        @Override
        void run() {
            ObjectNode body = Api.body().put("key", flag).put("type", "boolean").put("enabled", false);
            if (description != null) {
                body.put("description", description);
            }
            if (!tags.isEmpty()) {
                ArrayNode t = body.putArray("tags");
                tags.forEach(t::add);
            }
            body.put("reason", reason == null ? "flagplane init" : reason);
            JsonNode answer = api().post(Api.Service.COMMAND, env() + "/flags", body);
            cli().changed(answer, "created " + flag + " in " + api().environment() + ": disabled, rollout 0 %, no users");
            if (!users.isEmpty()) {
                AddUser.add(this, flag, users, reason);
            } else if (!out().json()) {
                out().line("next: flagplane add-user " + flag + " <user>…   (the internal testers), then flagplane deploy "
                        + flag + " internal");
            }
        }
    }

    @Command(name = "add-user", sortOptions = false, description = {
            "Add internal users (seed 001's testers) to the flag's allow list.",
            "The first add-user drafts the flag's rollout plan (seed-001 preset); later ones add the users to the",
            "draft's internal step too."},
            footerHeading = "%nExamples:%n", footer = "  flagplane add-user checkout.new_ui 1 2 3")
    static final class AddUser extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "USER", description = "user ids (targeting keys)")
        List<String> users;

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        @Override
        void run() {
            add(this, flag, users, reason);
        }

        static void add(Base command, String flag, List<String> users, String reason) {
            Api api = command.api();
            JsonNode before = command.flag(flag);
            String variant = onVariant(before);
            ObjectNode body = Api.body().put("variant", variant).put("reason", reason == null ? "flagplane add-user" : reason);
            ArrayNode add = body.putArray("add");
            users.forEach(add::add);
            JsonNode answer = api.post(Api.Service.COMMAND, command.flagPath(flag) + "/allow-list", body);
            List<String> all = allowed(answer.path("flag"), variant);
            command.cli().changed(answer, "added " + String.join(", ", users) + " to " + flag + "'s internal users (now "
                    + all.size() + ": " + String.join(", ", all) + ")");
            JsonNode plan = findPlan(api, flag);
            if (isFinal(plan)) {
                JsonNode drafted = draft(api, flag, all);
                Out o = command.out();
                (o.json() ? o.stderr() : o.stdout()).println("drafted rollout plan " + drafted.path("key").asText() + " (seed-001: internal → beta → expanded"
                        + " → general, each step on your deploy); start it with: flagplane deploy " + flag + " internal");
                (o.json() ? o.stderr() : o.stdout()).flush();
            } else if (plan.path("status").asText().equals("DRAFT")) {
                ObjectNode definition = plan.path("definition").deepCopy();
                for (JsonNode command1 : definition.path("steps").path(0).path("commands")) {
                    if (command1.path("action").asText().equals("allowList") && command1.path("flag").asText().equals(flag)) {
                        ArrayNode keys = ((ObjectNode) command1).putArray("add");
                        all.forEach(keys::add);
                    }
                }
                api.put(Api.Service.COMMAND, api.env() + "/plans/" + Api.enc(plan.path("key").asText()), definition);
            }
        }
    }

    @Command(name = "deploy", sortOptions = false, description = {
            "Move the flag's rollout to a seed 001 phase: internal, beta, expanded or general.",
            "internal: the internal users only; beta: 10 %% of tiers pro, enterprise; expanded: 50 %% of them;",
            "general: 100 %% of everyone. internal starts the plan; each later",
            "phase is a person's go for the next step, which the release controller then applies. Phases go in",
            "order; anything else is refused with the reason."},
            footerHeading = "%nExamples:%n", footer = {"  flagplane deploy checkout.new_ui internal",
            "  flagplane deploy checkout.new_ui beta"})
    static final class Deploy extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Parameters(index = "1", paramLabel = "PHASE", description = "internal, beta, expanded or general")
        String phase;

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        @Override
        void run() {
            int target = stepIndex(phase);
            if (target < 0) {
                throw CliException.usage("'" + phase + "' is not a seed 001 phase: use internal, beta, expanded or general");
            }
            Api api = api();
            JsonNode plan = findPlan(api, flag);
            String status = plan == null ? "NONE" : plan.path("status").asText();
            if (plan == null || isFinal(plan) && !(status.equals("COMPLETED") && target == STEPS.size() - 1)) {
                if (target != 0) {
                    throw CliException.refused(flag + (plan == null ? " has no rollout plan" : "'s last rollout plan "
                            + plan.path("key").asText() + " is " + status.toLowerCase(Locale.ROOT).replace('_', ' '))
                            + ": a rollout starts with flagplane deploy " + flag + " internal");
                }
                List<String> users = allowed(flag(flag), onVariant(flag(flag)));
                if (users.isEmpty()) {
                    throw CliException.refused(flag + " has no internal users yet: add them first with flagplane add-user "
                            + flag + " <user>…");
                }
                plan = draft(api, flag, users);
                status = "DRAFT";
            }
            String key = plan.path("key").asText();
            String planPath = env() + "/plans/" + Api.enc(key);
            switch (status) {
                case "DRAFT" -> {
                    if (target != 0) {
                        throw CliException.refused("the rollout of " + flag + " (plan " + key + ") has not started: deploy "
                                + "internal first (phases go in order: internal → beta → expanded → general)");
                    }
                    JsonNode answer = api.post(Api.Service.COMMAND, planPath + "/start", reason(reason));
                    PlanCommands.awaitProjection(this, key, answer.path("version").asLong());
                    cli().changed(answer, "deployed " + flag + ": internal (1 of 4) — " + stepSentence("internal"));
                }
                case "PAUSED" -> throw CliException.refused("the rollout plan " + key + " of " + flag + " is paused ("
                        + plan.path("statusReason").asText("no reason given") + "): resume it with flagplane plans resume "
                        + key + ", or roll back with flagplane rollback " + flag);
                case "COMPLETED" -> out().line(flag + " is already deployed to general (plan " + key + " completed)");
                default -> go(plan, target, key, planPath);
            }
        }

        private void go(JsonNode plan, int target, String key, String planPath) {
            int current = plan.path("currentStep").asInt();
            String currentName = plan.path("currentStepName").asText();
            int steps = plan.path("definition").path("steps").size();
            if (target == current) {
                out().line(flag + " is already at " + phase + " (step " + (current + 1) + " of " + steps + ", plan " + key + ")");
                return;
            }
            if (target < current) {
                throw CliException.refused(flag + " is past " + phase + " (at " + currentName + "): a rollout does not go back"
                        + " a phase; roll back with flagplane rollback " + flag + ", then deploy internal again");
            }
            if (target > current + 1) {
                throw CliException.refused(flag + " is at " + currentName + ": phases go in order, the next is "
                        + STEPS.get(current + 1) + " (flagplane deploy " + flag + " " + STEPS.get(current + 1) + ")");
            }
            ObjectNode body = Api.body().put("step", current).put("approved", true)
                    .put("comment", reason == null ? "flagplane deploy " + phase : reason);
            api().post(Api.Service.COMMAND, planPath + "/approve", body);
            if (!cli().waits()) {
                out().line("go given for " + phase + " (" + flag + ", plan " + key + "); the release controller starts it once "
                        + currentName + "'s gates pass — not waiting (--no-wait)");
                return;
            }
            Instant deadline = Instant.now().plus(cli().waitTimeout());
            JsonNode now = plan;
            while (now.path("currentStep").asInt() < target && !isFinal(now) && Instant.now().isBefore(deadline)) {
                try {
                    // the command API has no wait for a plan's step (only for a flag version's propagation), so
                    // the release controller's move is polled; the loop is bounded by --wait-timeout above
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(ExitCode.NOT_LIVE, "interrupted while waiting for the plan to start " + phase);
                }
                now = api().get(Api.Service.COMMAND, planPath);
            }
            if (now.path("currentStep").asInt() < target || now.path("status").asText().equals("ROLLED_BACK")) {
                JsonNode step = now.path("definition").path("steps").path(now.path("currentStep").asInt());
                long hold = step.path("holdSeconds").asLong();
                long held = now.hasNonNull("stepStartedAt") ? Duration.between(Instant.parse(now.get("stepStartedAt").asText()),
                        Instant.now()).toSeconds() : 0;
                String why = now.path("status").asText().equals("RUNNING") && held < hold
                        ? currentName + " must hold " + Durations.human(Duration.ofSeconds(hold)) + " ("
                        + Durations.human(Duration.ofSeconds(hold - held)) + " left)"
                        : "plan " + key + " is " + now.path("status").asText().toLowerCase(Locale.ROOT)
                        + (now.hasNonNull("statusReason") ? " (" + now.get("statusReason").asText() + ")" : "")
                        + "; its guardrails: flagplane status " + flag;
                throw new CliException(ExitCode.NOT_LIVE, "go given for " + phase + ", but " + flag + " is still at "
                        + currentName + " after " + Durations.human(cli().waitTimeout()) + ": " + why);
            }
            PlanCommands.awaitProjection(this, key, now.path("version").asLong());
            JsonNode flagNow = flag(flag);
            ObjectNode written = Api.body().put("kind", "flag").put("environment", api().environment()).put("key", flag)
                    .put("changed", true).put("version", flagNow.path("version").asLong())
                    .put("propagation", flagPath(flag) + "/propagation?version=" + flagNow.path("version").asLong());
            written.set("plan", now);
            cli().changed(written, "deployed " + flag + ": " + phase + " (" + (target + 1) + " of " + steps + ") — "
                    + stepSentence(phase));
        }
    }

    @Command(name = "rollback", sortOptions = false, description = {
            "Roll the flag back: its rollout plan's rollback, or a kill when no plan runs.",
            "A running (or paused) plan's rollback puts back, by default, the flag as it was before the plan: disabled."},
            footerHeading = "%nExamples:%n", footer = "  flagplane rollback checkout.new_ui --reason 'error rate above 0.5 %%'")
    static final class Rollback extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        @Override
        void run() {
            JsonNode plan = findPlan(api(), flag);
            String why = reason == null ? "flagplane rollback" : reason;
            if (plan != null && Set.of("RUNNING", "PAUSED").contains(plan.path("status").asText())) {
                String key = plan.path("key").asText();
                JsonNode answer = api().post(Api.Service.COMMAND, env() + "/plans/" + Api.enc(key) + "/rollback",
                        Api.body().put("why", why).put("reason", why));
                JsonNode after = answer.path("plan");
                cli().changed(answer, "rolled back " + flag + ": plan " + key + " at " + plan.path("currentStepName").asText()
                        + " (" + after.path("definition").path("rollbackAction").asText("restore").toLowerCase(Locale.ROOT) + ")");
                return;
            }
            JsonNode answer = api().post(Api.Service.COMMAND, flagPath(flag) + "/kill", Api.body().put("reason", why));
            cli().changed(answer, "killed " + flag + " (no rollout plan running)");
        }
    }

    @Command(name = "status", sortOptions = false, description = {
            "The flag at a glance: state, whom it serves, plan step, guardrails, propagation.",
            "On or off and whom it serves, its rollout plan's step, the guardrails' latest verdicts, and how far",
            "its current version has reached the evaluators."},
            footerHeading = "%nExamples:%n", footer = {"  flagplane status checkout.new_ui", "  flagplane status checkout.new_ui -o json"})
    static final class Status extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Override
        void run() {
            Api api = api();
            JsonNode state = flag(flag);
            JsonNode plan = findPlan(api, flag);
            JsonNode planView = plan == null ? null
                    : api.get(Api.Service.PROJECTION, env() + "/plans/" + Api.enc(plan.path("key").asText()));
            JsonNode propagation = api.get(Api.Service.PROJECTION, flagPath(flag) + "/propagation?version="
                    + state.path("version").asLong());
            if (out().json()) {
                ObjectNode all = Api.body();
                all.set("flag", state);
                all.set("plan", planView);
                all.set("propagation", propagation);
                out().printJson(all);
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("flag", flag + " (" + api.environment() + ", v" + state.path("version").asLong() + ")"));
            rows.add(List.of("state", Describe.onOff(state)));
            rows.add(List.of("serves", Describe.targeting(state)));
            if (planView == null) {
                rows.add(List.of("plan", "none (the first add-user drafts one)"));
            } else {
                rows.add(List.of("plan", Describe.plan(planView)));
                rows.add(List.of("guardrails", Describe.guardrails(planView)));
                String planStatus = planView.path("status").asText();
                int step = planView.path("currentStep").asInt(-1);
                if (planStatus.equals("DRAFT")) {
                    rows.add(List.of("next", "flagplane deploy " + flag + " internal"));
                } else if (planStatus.equals("RUNNING") && step >= 0 && step < STEPS.size() - 1) {
                    rows.add(List.of("next", "flagplane deploy " + flag + " " + STEPS.get(step + 1) + "   (or flagplane rollback "
                            + flag + ")"));
                }
            }
            rows.add(List.of("propagation", "v" + state.path("version").asLong() + " "
                    + Propagation.describe(propagation, Duration.ZERO).replace(" after 0 ms", "")));
            for (List<String> row : rows) {
                out().line(String.format("%-12s %s", row.get(0), row.get(1)));
            }
        }
    }
}
