package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Role;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.contract.json.StateJson;
import io.flagplane.http.Instants;
import io.flagplane.http.JsonInputException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Scheduled changes: schedule any command or change set of an environment for an instant, list
 * them ({@code ?status=PENDING}), read one, cancel one. Each is a command on the schedule, decided
 * by {@code ScheduledChangeDecider}; the release controller applies it when it is due. In a scope
 * an approval policy protects, only a kill is scheduled directly: anything else goes through a
 * change request, approved, then scheduled with {@code applyAt} ({@link ApprovalGate#checkHeld}).
 */
final class ScheduledChangeRoutes {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final WriteModel model;
    private final Submission submission;
    private final Clock clock;

    ScheduledChangeRoutes(WriteModel model, Submission submission, Clock clock) {
        this.model = model;
        this.submission = submission;
        this.clock = clock;
    }

    void register(RoutesConfig routes, String env) {
        String schedules = env + "/schedules";
        routes.post(schedules, this::create);
        routes.get(schedules, this::list);
        routes.get(schedules + "/{id}", this::read);
        routes.post(schedules + "/{id}/cancel", this::cancel);
    }

    private void create(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.EDITOR, environment);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", Set.of("applyAt", "title", "reason", "commands", "applyIfMoved"));
        Instant applyAt = instant(Json.requiredText(body, "applyAt", "applyAt"));
        String title = Json.requiredText(body, "title", "title");
        String reason = Json.requiredText(body, "reason", "reason");
        List<Command> commands = CommandJson.parseAll(body.get("commands"), environment, WriteRoutes.MAX_CHANGE_SET);
        boolean applyIfMoved = Json.optionalBoolean(body, "applyIfMoved", "applyIfMoved", false);
        for (Command command : commands) {
            Requests.require(ctx, Role.EDITOR, command.environment());
        }
        ApprovalGate.checkHeld(model, commands);
        ScheduleRef ref = new ScheduleRef(environment, "sc-" + HexFormat.of().formatHex(randomBytes()));
        CommandResult result = submission.execute(ctx, List.of(new Command.CreateSchedule(ref, Requests.principal(ctx).actor(),
                title, reason, body.get("commands").toString(), commands, applyAt, applyIfMoved, clock.instant())), null);
        // a replayed Idempotency-Key answers with the change the first request created, not the id drawn now
        ctx.header("Location", "/api/v1/environments/" + environment + "/schedules/" + result.changes().get(0).target().key());
        CommandErrors.json(ctx, result.replayed() ? 200 : 201, ResultJson.single(result));
    }

    /** An instant in a body is a field of it: a bad one is 422 like any other field, not a malformed body. */
    private static Instant instant(String text) {
        try {
            return Instants.parse(text, "applyAt");
        } catch (JsonInputException e) {
            throw CommandException.invalid("applyAt", e.getMessage());
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void list(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.VIEWER, environment);
        String wanted = ctx.queryParam("status");
        ScheduledChangeStatus status = null;
        if (wanted != null) {
            try {
                status = ScheduledChangeStatus.valueOf(wanted.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CommandException.invalid("status", "status must be one of pending, applied, failed, cancelled");
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("schedules");
        ScheduledChangeStatus only = status;
        model.all(ScheduleRef.class, environment).stream().map(ScheduledChangeState.class::cast)
                .filter(s -> only == null || s.getStatus() == only)
                .sorted(Comparator.comparing(ScheduledChangeState::getApplyAt).thenComparing(ScheduledChangeState::getId))
                .forEach(s -> items.add(StateJson.scheduledChange(s)));
        CommandErrors.json(ctx, 200, body);
    }

    private ScheduledChangeState existing(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        ScheduleRef ref = new ScheduleRef(environment, ctx.pathParam("id"));
        ScheduledChangeState state = (ScheduledChangeState) model.state(ref);
        if (state == null) {
            throw new CommandException(ErrorCode.SCHEDULE_NOT_FOUND, null, ref.describe() + " does not exist");
        }
        return state;
    }

    private void read(Context ctx) {
        Requests.require(ctx, Role.VIEWER, Requests.environment(ctx));
        ScheduledChangeState state = existing(ctx);
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        CommandErrors.json(ctx, 200, StateJson.scheduledChange(state));
    }

    private void cancel(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.EDITOR, environment);
        ScheduledChangeState state = existing(ctx);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), false);
        Json.allowOnly(body, "", Set.of("reason", "expectedVersion"));
        Command.CancelSchedule cancel = new Command.CancelSchedule(new ScheduleRef(environment, state.getId()),
                Requests.principal(ctx).actor(), Requests.expectedVersion(ctx, body));
        CommandErrors.json(ctx, 200, ResultJson.single(submission.execute(ctx, List.of(cancel),
                Json.optionalText(body, "reason", "reason", null))));
    }
}
