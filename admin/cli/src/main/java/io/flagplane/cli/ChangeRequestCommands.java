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

/** {@code flagplane change-requests …}: four eyes (the command-service's change-request routes). */
@Command(name = "change-requests", aliases = "cr", description = "Change requests: list, get, create, approve, reject, comment, apply.",
        subcommands = {ChangeRequestCommands.ListRequests.class, ChangeRequestCommands.Get.class, ChangeRequestCommands.Create.class,
                ChangeRequestCommands.Approve.class, ChangeRequestCommands.Reject.class, ChangeRequestCommands.Comment.class,
                ChangeRequestCommands.Apply.class},
        footerHeading = "%nExamples:%n", footer = {"  flagplane change-requests list                  (the reviewer's inbox: in review)",
        "  flagplane change-requests approve 3f2a… --comment 'looks right'",
        "  flagplane change-requests apply 3f2a…"})
final class ChangeRequestCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: list, get, create, approve, reject, comment or apply");
    }

    static String path(Base command, String id) {
        return command.env() + "/change-requests/" + Api.enc(id);
    }

    @Command(name = "list", description = "Change requests in a state (default in_review: the inbox).",
            footerHeading = "%nExamples:%n", footer = {"  flagplane change-requests list                   (the inbox: in review)", "  flagplane change-requests list --state approved"})
    static final class ListRequests extends Base {
        @Option(names = "--state", description = "draft, in_review (default), approved, scheduled, applied, rejected, cancelled")
        String state = "in_review";

        @Override
        void run() {
            JsonNode answer = api().get(Api.Service.COMMAND, env() + "/change-requests" + Api.query("state", state));
            out().show(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode cr : answer.path("changeRequests")) {
                    List<String> approvers = new ArrayList<>();
                    cr.path("approvals").forEach(a -> approvers.add(a.path("approver").asText()));
                    rows.add(List.of(cr.path("id").asText(), cr.path("status").asText(), cr.path("author").path("id").asText(),
                            String.valueOf(cr.path("commands").size()), approvers.isEmpty() ? "-" : String.join(",", approvers),
                            cr.path("title").asText()));
                }
                out().table(List.of("ID", "STATUS", "AUTHOR", "COMMANDS", "APPROVED BY", "TITLE"), rows);
            });
        }
    }

    @Command(name = "get", description = "One change request with its commands.",
            footerHeading = "%nExamples:%n", footer = "  flagplane change-requests get cr-7f3a")
    static final class Get extends Base {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void run() {
            JsonNode cr = api().get(Api.Service.COMMAND, path(this, id));
            out().show(cr, () -> {
                out().line(cr.path("id").asText() + ": " + cr.path("status").asText() + " — " + cr.path("title").asText() + " (by "
                        + cr.path("author").path("id").asText() + ")");
                out().line("  reason: " + cr.path("reason").asText());
                for (JsonNode command : cr.path("commands")) {
                    out().line("  " + command.toString());
                }
                cr.path("approvals").forEach(a -> out().line("  approved by " + a.path("approver").asText() + " at " + a.path("at").asText()));
            });
        }
    }

    @Command(name = "create", description = "Open a change request from a JSON body ({\"title\", \"reason\", \"commands\": […], \"submit\": true}).",
            footerHeading = "%nExamples:%n", footer = "  flagplane change-requests create -f change.json")
    static final class Create extends Base {
        @Option(names = {"-f", "--file"}, required = true)
        Path file;

        @Override
        void run() {
            JsonNode answer = api().post(Api.Service.COMMAND, env() + "/change-requests", FlagCommands.readJson(file, "--file"));
            out().show(answer, () -> out().line("opened change request " + answer.path("key").asText() + " ("
                    + answer.path("changeRequest").path("status").asText() + ")"));
        }
    }

    abstract static class Step extends Base {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--comment", description = "a comment for the record")
        String comment;

        abstract String route();

        abstract String done();

        @Override
        void run() {
            ObjectNode body = Api.body();
            if (comment != null) {
                body.put("comment", comment);
            }
            JsonNode answer = api().post(Api.Service.COMMAND, path(this, id) + "/" + route(), body);
            if (route().equals("apply")) {
                cli().changed(answer, "applied change request " + id);
                return;
            }
            JsonNode cr = answer.path("changeRequest");
            out().show(answer, () -> out().line(done() + " change request " + id + " (now " + cr.path("status").asText() + ", "
                    + cr.path("approvals").size() + " approval" + (cr.path("approvals").size() == 1 ? "" : "s") + ")"));
        }
    }

    @Command(name = "approve", description = "Approve (not your own; a person with the policy's role).",
            footerHeading = "%nExamples:%n", footer = "  flagplane change-requests approve cr-7f3a --comment 'looks right' --token \"$BOB_TOKEN\"")
    static final class Approve extends Step {
        String route() {
            return "approve";
        }

        String done() {
            return "approved";
        }
    }

    @Command(name = "reject", description = "Reject.",
            footerHeading = "%nExamples:%n", footer = "  flagplane change-requests reject cr-7f3a --comment 'not during the sale'")
    static final class Reject extends Step {
        String route() {
            return "reject";
        }

        String done() {
            return "rejected";
        }
    }

    @Command(name = "comment", description = "Comment (--comment TEXT).",
            footerHeading = "%nExamples:%n", footer = "  flagplane change-requests comment cr-7f3a --comment 'who watches the error rate?'")
    static final class Comment extends Step {
        String route() {
            return "comment";
        }

        String done() {
            return "commented on";
        }
    }

    @Command(name = "apply", description = "Apply an approved request: its commands in one transaction; waits until live.",
            footerHeading = "%nExamples:%n", footer = "  flagplane change-requests apply cr-7f3a")
    static final class Apply extends Step {
        String route() {
            return "apply";
        }

        String done() {
            return "applied";
        }
    }
}
