package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flagplane plans …}: rollout plans (the command-service's routes; the projection's view with guardrails). */
@Command(name = "plans", description = "Rollout plans: list, get, create, start, go, pause, resume, rollback, cancel.",
        subcommands = {PlanCommands.ListPlans.class, PlanCommands.Get.class, PlanCommands.Create.class, PlanCommands.Start.class,
                PlanCommands.Go.class, PlanCommands.Pause.class, PlanCommands.Resume.class, PlanCommands.Rollback.class,
                PlanCommands.Cancel.class},
        footerHeading = "%nExamples:%n", footer = {"  flagplane plans list --status running", "  flagplane plans get action-plan",
        "  flagplane plans create -f plan.json   (the POST /plans body: steps or a preset, see docs/PLANS.md)",
        "  flagplane plans go action-plan          (a person's go for a step that waits for one)"})
final class PlanCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: list, get, create, start, go, pause, resume, rollback or cancel");
    }

    @Command(name = "list", description = "The environment's plans.", footerHeading = "%nExamples:%n", footer = "  flagplane plans list --status running")
    static final class ListPlans extends Base {
        @Option(names = "--status", description = "draft, running, paused, completed, rolled_back or cancelled")
        String status;

        @Override
        void run() {
            JsonNode answer = api().get(Api.Service.COMMAND, env() + "/plans" + Api.query("status", status));
            out().show(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode plan : answer.path("plans")) {
                    List<String> flags = new ArrayList<>();
                    plan.path("definition").path("flagKeys").forEach(f -> flags.add(f.asText()));
                    rows.add(List.of(plan.path("key").asText(), plan.path("status").asText(),
                            plan.path("currentStep").asInt(-1) < 0 ? "-" : plan.path("currentStepName").asText() + " ("
                                    + (plan.path("currentStep").asInt() + 1) + "/" + plan.path("definition").path("steps").size() + ")",
                            String.join(",", flags), plan.path("definition").path("preset").asText("-")));
                }
                out().table(List.of("PLAN", "STATUS", "STEP", "FLAGS", "PRESET"), rows);
            });
        }
    }

    @Command(name = "get", description = "A plan with its steps and the guardrails' latest verdicts (the projection's view).",
            footerHeading = "%nExamples:%n", footer = "  flagplane plans get action-plan")
    static final class Get extends Base {
        @Parameters(index = "0", paramLabel = "PLAN")
        String key;

        @Override
        void run() {
            JsonNode plan = api().get(Api.Service.PROJECTION, env() + "/plans/" + Api.enc(key));
            out().show(plan, () -> {
                out().line(Describe.plan(plan));
                int i = 0;
                for (JsonNode step : plan.path("definition").path("steps")) {
                    String marker = i == plan.path("currentStep").asInt(-1) ? "▶" : " ";
                    out().line(String.format("  %s %d. %-12s hold %-8s%s", marker, ++i, step.path("name").asText(),
                            step.path("holdSeconds").asLong() == 0 ? "none" : Durations.human(java.time.Duration.ofSeconds(step.path("holdSeconds").asLong())),
                            step.path("manualApproval").asBoolean() ? "  waits for a go" : ""));
                }
                out().line("  guardrails: " + Describe.guardrails(plan));
            });
        }
    }

    /**
     * Waits (unless --no-wait) until the projection shows plan {@code key} at {@code version} or
     * later: the command-service answers once the change is durable, and the projection folds it a
     * moment after, so without this a {@code plans get} straight after could still say
     * PLAN_NOT_FOUND or show the step before. Exits 3 when the projection has not caught up in time.
     */
    static void awaitProjection(Base command, String key, long version) {
        FlagplaneCli cli = command.cli();
        if (!cli.waits() || version <= 0) {
            return;
        }
        long deadline = System.nanoTime() + cli.waitTimeout().toNanos();
        while (true) {
            try {
                JsonNode plan = command.api().get(Api.Service.PROJECTION, command.env() + "/plans/" + Api.enc(key));
                if (plan.path("version").asLong() >= version) {
                    return;
                }
            } catch (ApiException e) {
                if (e.status() != 404 && e.status() != 503) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCode.NOT_LIVE, "plan " + key + " v" + version + " is written, but the projection does not"
                        + " show it yet after " + Durations.human(cli.waitTimeout()) + " (--wait-timeout)");
            }
            try {
                // the projection's plan route has no wait (only a flag version's propagation has one), so the
                // plan is asked again; a fold takes milliseconds, and the loop is bounded by --wait-timeout above
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.NOT_LIVE, "interrupted while waiting for the projection");
            }
        }
    }

    @Command(name = "create", description = "Draft a plan from a JSON body (docs/PLANS.md).",
            footerHeading = "%nExamples:%n", footer = "  flagplane plans create -f plan.json")
    static final class Create extends Base {
        @Option(names = {"-f", "--file"}, required = true, description = "the POST /plans body")
        Path file;

        @Override
        void run() {
            JsonNode answer = api().post(Api.Service.COMMAND, env() + "/plans", FlagCommands.readJson(file, "--file"));
            awaitProjection(this, answer.path("key").asText(), answer.path("version").asLong());
            cli().changed(answer, "drafted plan " + answer.path("key").asText());
        }
    }

    /** start / pause / resume / rollback / cancel: one POST with a reason. */
    abstract static class Move extends Base {
        @Parameters(index = "0", paramLabel = "PLAN")
        String key;

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        abstract String route();

        abstract String done();

        ObjectNode body() {
            return reason(reason);
        }

        @Override
        void run() {
            JsonNode answer = api().post(Api.Service.COMMAND, env() + "/plans/" + Api.enc(key) + "/" + route(), body());
            awaitProjection(this, key, answer.path("version").asLong());
            JsonNode plan = answer.path("plan");
            cli().changed(answer, done() + " plan " + key + " (" + plan.path("status").asText()
                    + (plan.path("currentStep").asInt(-1) >= 0 ? ", step " + plan.path("currentStepName").asText() : "") + ")");
        }
    }

    @Command(name = "start", description = "Start a drafted plan: its first step is applied now.",
            footerHeading = "%nExamples:%n", footer = "  flagplane plans start action-plan")
    static final class Start extends Move {
        String route() {
            return "start";
        }

        String done() {
            return "started";
        }
    }

    @Command(name = "go", description = "A person's go for the current step (a step with manualApproval): the plan moves on once its gates pass.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane plans go action-plan", "  flagplane plans go action-plan --no-go --reason 'not yet'"})
    static final class Go extends Move {
        @Option(names = "--no-go", description = "record a no-go instead")
        boolean noGo;

        @Option(names = "--step", description = "the step index (default the current one)")
        Integer step;

        String route() {
            return "approve";
        }

        String done() {
            return noGo ? "no-go for" : "go for";
        }

        @Override
        ObjectNode body() {
            ObjectNode body = Api.body().put("approved", !noGo);
            if (step != null) {
                body.put("step", step);
            }
            if (reason != null) {
                body.put("comment", reason);
            }
            return body;
        }
    }

    @Command(name = "pause", description = "Pause a running plan.",
            footerHeading = "%nExamples:%n", footer = "  flagplane plans pause action-plan --reason 'checking the logs'")
    static final class Pause extends Move {
        String route() {
            return "pause";
        }

        String done() {
            return "paused";
        }
    }

    @Command(name = "resume", description = "Resume a paused plan.",
            footerHeading = "%nExamples:%n", footer = "  flagplane plans resume action-plan")
    static final class Resume extends Move {
        String route() {
            return "resume";
        }

        String done() {
            return "resumed";
        }
    }

    @Command(name = "rollback", description = "Roll a plan back (its rollbackAction, or --action kill|restore|previous_step).",
            footerHeading = "%nExamples:%n", footer = {"  flagplane plans rollback action-plan --reason 'error rate above 0.5 %%'", "  flagplane plans rollback action-plan --action previous_step"})
    static final class Rollback extends Move {
        @Option(names = "--action", description = "kill, restore or previous_step (default: the plan's)")
        String action;

        String route() {
            return "rollback";
        }

        String done() {
            return "rolled back";
        }

        @Override
        ObjectNode body() {
            ObjectNode body = reason(reason);
            if (action != null) {
                body.put("rollbackAction", action);
            }
            if (reason != null) {
                body.put("why", reason);
            }
            return body;
        }
    }

    @Command(name = "cancel", description = "Cancel a plan; its flags stay as they are.",
            footerHeading = "%nExamples:%n", footer = "  flagplane plans cancel action-plan --reason 'superseded'")
    static final class Cancel extends Move {
        String route() {
            return "cancel";
        }

        String done() {
            return "cancelled";
        }
    }
}
