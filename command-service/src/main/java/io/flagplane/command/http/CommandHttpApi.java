package io.flagplane.command.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagState;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.DefinitionRules;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.FlagCommand;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.FlagChange;
import io.flagplane.command.log.FlagStates;
import io.flagplane.contract.RecordKeys.FlagRef;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command API, versioned under {@code /api/v1} and scoped by environment. Handlers parse the
 * request into a command, hand it to the single writer, and render what it did; every refusal
 * becomes {@code {"error": {"code", "field", "message"}}} with its status decided in
 * {@link #statusOf(ErrorCode)}.
 */
public final class CommandHttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHttpApi.class);
    static final long MAX_BODY_BYTES = 1024 * 1024L;

    private final CommandProcessor processor;
    private final FlagStates states;
    private final Duration commandTimeout;

    private CommandHttpApi(CommandProcessor processor, FlagStates states, Duration commandTimeout) {
        this.processor = processor;
        this.states = states;
        this.commandTimeout = commandTimeout;
    }

    public static Javalin create(CommandProcessor processor, FlagStates states, Duration commandTimeout) {
        CommandHttpApi api = new CommandHttpApi(processor, states, commandTimeout);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            var routes = config.routes;
            String flags = "/api/v1/environments/{env}/flags";
            routes.post(flags, api::create);
            routes.get(flags, api::list);
            routes.get(flags + "/{key}", api::read);
            routes.post(flags + "/{key}/enable", ctx -> api.lifecycle(ctx, FlagCommand.Enable::new));
            routes.post(flags + "/{key}/disable", ctx -> api.lifecycle(ctx, FlagCommand.Disable::new));
            routes.post(flags + "/{key}/kill", ctx -> api.lifecycle(ctx, FlagCommand.Kill::new));
            routes.post(flags + "/{key}/revive", ctx -> api.lifecycle(ctx, FlagCommand.Revive::new));
            routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "UP")));
            routes.get("/health/ready", ctx -> {
                boolean ready = processor.isReady();
                ctx.status(ready ? 200 : 503).json(java.util.Map.of("status", ready ? "READY"
                        : processor.isFenced() ? "FENCED" : "STARTING", "flags", states.size()));
            });

            routes.exception(CommandException.class, (e, ctx) -> renderError(ctx, e));
            routes.exception(HttpResponseException.class, (e, ctx) -> renderError(ctx,
                    new CommandException(ErrorCode.MALFORMED_REQUEST, null, e.getStatus() == 413
                            ? "the request body is larger than " + MAX_BODY_BYTES / 1024 + " KiB" : e.getMessage()), e.getStatus()));
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                renderError(ctx, new CommandException(ErrorCode.UNAVAILABLE, null, "internal error: " + e.getClass().getSimpleName()),
                        500);
            });
        });
    }

    private void create(Context ctx) {
        String environment = environment(ctx);
        JsonNode body = FlagJson.parse(ctx.bodyAsBytes(), true);
        String key = FlagJson.requiredText(body, "key", "key");
        Names.checkFlagKey(key, "key");
        var definition = FlagJson.definition(body, key);
        DefinitionRules.check(definition);
        JsonNode enabled = body.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw CommandException.invalid("enabled", "enabled must be true or false");
        }
        FlagRef ref = new FlagRef(environment, key);
        FlagChange change = execute(ctx, new FlagCommand.Create(ref, definition, enabled != null && enabled.asBoolean(false)),
                body).get(0);
        ctx.header("Location", "/api/v1/environments/" + environment + "/flags/" + key);
        render(ctx, 201, changeBody(change));
    }

    private void list(Context ctx) {
        String environment = environment(ctx);
        ObjectNode body = FlagJson.MAPPER.createObjectNode();
        var items = body.putArray("flags");
        states.list(environment).forEach(state -> items.add(FlagJson.render(state)));
        render(ctx, 200, body);
    }

    private void read(Context ctx) {
        FlagRef ref = flagRef(ctx);
        FlagState state = states.get(ref);
        if (state == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, null, "flag '" + ref.flagKey()
                    + "' does not exist in environment '" + ref.environment() + "'");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        render(ctx, 200, FlagJson.render(state));
    }

    private void lifecycle(Context ctx, BiFunction<FlagRef, Long, FlagCommand> command) {
        FlagRef ref = flagRef(ctx);
        JsonNode body = FlagJson.parse(ctx.bodyAsBytes(), false);
        FlagChange change = execute(ctx, command.apply(ref, expectedVersion(ctx, body)), body).get(0);
        render(ctx, 200, changeBody(change));
    }

    private List<FlagChange> execute(Context ctx, FlagCommand command, JsonNode body) {
        String reason = FlagJson.optionalText(body, "reason", null);
        if (reason != null && reason.length() > 1_000) {
            throw CommandException.invalid("reason", "reason is longer than 1000 characters");
        }
        Actor actor = new Actor("anonymous", ActorKind.USER);
        CommandRequest request = new CommandRequest(List.of(command), actor, reason, ctx.header("Idempotency-Key"));
        try {
            return processor.submit(request).get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandException refused) {
                throw refused;
            }
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "the command failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "no confirmation from Kafka within " + commandTimeout.toSeconds()
                    + " s; the outcome is unknown, retry with the same Idempotency-Key");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "interrupted");
        }
    }

    /** The version the caller expects: {@code If-Match: "3"} or {@code "expectedVersion": 3}. */
    private static Long expectedVersion(Context ctx, JsonNode body) {
        Long fromBody = FlagJson.optionalVersion(body, "expectedVersion");
        String ifMatch = ctx.header("If-Match");
        if (ifMatch == null || ifMatch.isBlank()) {
            return fromBody;
        }
        try {
            long fromHeader = Long.parseLong(ifMatch.trim().replace("\"", ""));
            if (fromBody != null && fromBody != fromHeader) {
                throw CommandException.invalid("If-Match", "If-Match (" + fromHeader + ") and expectedVersion (" + fromBody
                        + ") disagree");
            }
            return fromHeader;
        } catch (NumberFormatException e) {
            throw CommandException.invalid("If-Match", "If-Match must be a flag version such as \"3\"");
        }
    }

    private static String environment(Context ctx) {
        String environment = ctx.pathParam("env");
        Names.checkEnvironment(environment);
        return environment;
    }

    private static FlagRef flagRef(Context ctx) {
        String environment = environment(ctx);
        String key = ctx.pathParam("key");
        Names.checkFlagKey(key, "key");
        return new FlagRef(environment, key);
    }

    private static ObjectNode changeBody(FlagChange change) {
        ObjectNode body = FlagJson.MAPPER.createObjectNode();
        body.put("changed", change.changed());
        body.put("version", change.version());
        if (change.partition() != null) {
            body.put("partition", change.partition());
            body.put("offset", change.offset());
        }
        body.set("flag", FlagJson.render(change.state()));
        return body;
    }

    static int statusOf(ErrorCode code) {
        return switch (code) {
            case MALFORMED_REQUEST -> 400;
            case INVALID_FIELD, INVALID_FLAG_KEY, INVALID_ENVIRONMENT -> 422;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case FLAG_NOT_FOUND -> 404;
            case FLAG_ALREADY_EXISTS, VERSION_CONFLICT, INVALID_STATE -> 409;
            case WRITER_FENCED, UNAVAILABLE, NOT_READY -> 503;
        };
    }

    private static void renderError(Context ctx, CommandException e) {
        renderError(ctx, e, statusOf(e.code()));
    }

    private static void renderError(Context ctx, CommandException e, int status) {
        ObjectNode body = FlagJson.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", e.code().name());
        if (e.field() != null) {
            error.put("field", e.field());
        }
        error.put("message", e.getMessage());
        if (e.currentVersion() != null) {
            error.put("currentVersion", e.currentVersion());
        }
        if (status == 503) {
            ctx.header("Retry-After", "1");
        }
        render(ctx, status, body);
    }

    private static void render(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(FlagJson.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }
}
