package io.flagplane.command.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.auth.Authenticator;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.command.CommandMetrics;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.StateJson;
import io.flagplane.http.ErrorBodies;
import io.flagplane.http.HttpErrors;
import io.flagplane.http.HttpHardening;
import io.flagplane.http.JsonInputException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command API, versioned under {@code /api/v1} and scoped by environment, described by
 * {@code /api/v1/openapi.yaml}. Handlers authenticate the bearer token, check the role for the
 * environment, parse the request into a command (the same parser for single commands and change
 * sets), hand it to the single writer, and render what it did. Every refusal becomes
 * {@code {"error": {"code", "field", "message"}}}, its status decided in {@link #statusOf}.
 * Operations ({@code /health/live}, {@code /health/ready}, {@code /metrics}) are outside
 * {@code /api/v1} and open to the infrastructure that watches the service, like the edge node's.
 */
public final class CommandHttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHttpApi.class);
    static final long MAX_BODY_BYTES = 4 * 1024 * 1024L;
    static final int MAX_CHANGE_SET = 500;
    private static final String PRINCIPAL = "flagplane.principal";
    private static final java.util.regex.Pattern IDEMPOTENCY_KEY = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,200}");

    private final CommandProcessor processor;
    private final WriteModel model;
    private final Authenticator authenticator;
    private final Duration commandTimeout;

    private CommandHttpApi(CommandProcessor processor, WriteModel model, TokenRegistry tokens, Duration commandTimeout) {
        this.processor = processor;
        this.model = model;
        this.authenticator = tokens == null ? Authenticator.open() : Authenticator.of(tokens);
        this.commandTimeout = commandTimeout;
    }

    /**
     * @param tokens the accepted tokens, or null to run without authentication (everyone is an
     *               anonymous admin: local experiments only)
     */
    public static Javalin create(CommandProcessor processor, WriteModel model, CommandMetrics metrics, TokenRegistry tokens,
                                 Duration commandTimeout) {
        CommandHttpApi api = new CommandHttpApi(processor, model, tokens, commandTimeout);
        String openApi = resource("/openapi/command-api.yaml");
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            HttpHardening.apply(config, ErrorBodies.API);
            var routes = config.routes;
            String env = "/api/v1/environments/{env}";
            String flag = env + "/flags/{key}";
            String segment = env + "/segments/{key}";

            routes.before("/api/v1/*", api::authenticate);

            routes.get("/api/v1/environments", api::listEnvironments);
            routes.post("/api/v1/environments", api::createEnvironment);
            routes.get(env, api::readEnvironment);
            routes.post(env + "/archive", api::archiveEnvironment);

            routes.get(env + "/flags", ctx -> api.listFlags(ctx));
            routes.post(env + "/flags", ctx -> api.created(ctx, api.action(ctx, "createFlag", null)));
            routes.get(flag, api::readFlag);
            routes.put(flag, ctx -> api.single(ctx, api.action(ctx, "replaceFlag", "flag")));
            for (String lifecycle : List.of("enable", "disable", "kill", "revive", "archive", "restore")) {
                routes.post(flag + "/" + lifecycle, ctx -> api.single(ctx, api.action(ctx, lifecycle, "flag")));
            }
            routes.patch(flag + "/rollout", ctx -> api.single(ctx, api.action(ctx, "setRollout", "flag")));
            routes.post(flag + "/allow-list", ctx -> api.single(ctx, api.action(ctx, "allowList", "flag")));
            routes.post(flag + "/deny-list", ctx -> api.single(ctx, api.action(ctx, "denyList", "flag")));
            routes.put(flag + "/rules", ctx -> api.single(ctx, api.action(ctx, "replaceRules", "flag")));
            routes.put(flag + "/metadata", ctx -> api.single(ctx, api.action(ctx, "setMetadata", "flag")));
            routes.post(env + "/kill-by-tag", ctx -> api.changeSet(ctx, List.of(api.action(ctx, "killByTag", null).get()),
                    reasonOf(ctx)));

            routes.get(env + "/segments", api::listSegments);
            routes.post(env + "/segments", ctx -> api.created(ctx, api.action(ctx, "createSegment", null)));
            routes.get(segment, api::readSegment);
            routes.put(segment, ctx -> api.single(ctx, api.action(ctx, "replaceSegment", "segment")));
            routes.post(segment + "/archive", ctx -> api.single(ctx, api.action(ctx, "archiveSegment", "segment")));

            routes.post("/api/v1/changesets", api::changeSetRequest);
            routes.get("/api/v1/tokens", api::listTokens);
            routes.get("/api/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));

            routes.get("/health/live", ctx -> render(ctx, 200, Json.MAPPER.createObjectNode().put("status", "UP")));
            routes.get("/health/ready", ctx -> {
                boolean ready = processor.isReady();
                render(ctx, ready ? 200 : 503, Json.MAPPER.createObjectNode()
                        .put("status", ready ? "READY" : processor.isFenced() ? "FENCED" : "STARTING")
                        .put("flags", model.flagCount()));
            });
            routes.get("/metrics", ctx -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
                metrics.write(out);
                ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
            });

            routes.exception(CommandException.class, (e, ctx) -> renderError(ctx, e));
            routes.exception(Authenticator.Unauthenticated.class, (e, ctx) -> {
                ctx.header("WWW-Authenticate", e.challenge());
                renderError(ctx, new CommandException(ErrorCode.UNAUTHENTICATED, null, e.getMessage()));
            });
            routes.exception(Authenticator.Forbidden.class, (e, ctx) -> renderError(ctx,
                    new CommandException(ErrorCode.FORBIDDEN, null, e.getMessage())));
            routes.exception(JsonInputException.class, (e, ctx) -> renderError(ctx,
                    new CommandException(ErrorCode.MALFORMED_REQUEST, e.field(), e.getMessage())));
            routes.exception(HttpResponseException.class, (e, ctx) -> renderError(ctx, switch (e.getStatus()) {
                case 404 -> new CommandException(ErrorCode.NOT_FOUND, null, "no such route: " + ctx.method() + " " + ctx.path());
                case 413 -> new CommandException(ErrorCode.BODY_TOO_LARGE, null, "the request body is larger than "
                        + MAX_BODY_BYTES / 1024 + " KiB");
                default -> new CommandException(ErrorCode.MALFORMED_REQUEST, null, HttpErrors.sentenceOf(e.getStatus()));
            }, e.getStatus() >= 500 ? 500 : e.getStatus()));
            routes.exception(Exception.class, (e, ctx) -> {
                int clientStatus = HttpErrors.clientStatus(e);
                if (clientStatus != 0) {
                    renderError(ctx, new CommandException(ErrorCode.MALFORMED_REQUEST, null, HttpErrors.sentenceOf(clientStatus)),
                            clientStatus);
                } else {
                    renderError(ctx, new CommandException(ErrorCode.INTERNAL, null,
                            HttpErrors.internal(LOG, ctx.method().name(), ctx.path(), e)), 500);
                }
            });
            routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    renderError(ctx, new CommandException(ErrorCode.NOT_FOUND, null, "no such route: " + ctx.method() + " "
                            + ctx.path()), 404);
                }
            });
        });
    }

    // ------------------------------------------------------------------ authentication

    private void authenticate(Context ctx) {
        if (ctx.path().equals("/api/v1/openapi.yaml")) {
            return;
        }
        ctx.attribute(PRINCIPAL, authenticator.authenticate(ctx.header("Authorization"), null));
    }

    private static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new CommandException(ErrorCode.UNAUTHENTICATED, null, "send an API token: Authorization: Bearer <token>");
        }
        return principal;
    }

    private static void require(Context ctx, Role role, String environment) {
        Authenticator.require(principal(ctx), role, environment);
    }

    // ------------------------------------------------------------------ environments

    private void listEnvironments(Context ctx) {
        principal(ctx);
        boolean archived = Boolean.parseBoolean(ctx.queryParam("includeArchived"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("environments");
        for (EnvironmentState state : model.environments()) {
            if (archived || !state.getArchived()) {
                items.add(ResultJson.environment(state));
            }
        }
        render(ctx, 200, body);
    }

    private void readEnvironment(Context ctx) {
        String environment = environment(ctx);
        require(ctx, Role.VIEWER, environment);
        EnvironmentState state = model.environment(environment);
        if (state == null) {
            throw new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, null, "environment '" + environment
                    + "' is not declared");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        render(ctx, 200, ResultJson.environment(state));
    }

    private void createEnvironment(Context ctx) {
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", java.util.Set.of("name", "description", "reason"));
        String name = Json.requiredText(body, "name", "name");
        Names.checkEnvironment(name);
        require(ctx, Role.ADMIN, name);
        Command command = new Command.CreateEnvironment(name, Json.optionalText(body, "description", "description", null));
        CommandResult result = execute(ctx, List.of(command), Json.optionalText(body, "reason", "reason", null));
        ctx.header("Location", "/api/v1/environments/" + name);
        render(ctx, result.replayed() ? 200 : 201, ResultJson.single(result));
    }

    private void archiveEnvironment(Context ctx) {
        String environment = environment(ctx);
        require(ctx, Role.ADMIN, environment);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), false);
        Json.allowOnly(body, "", java.util.Set.of("reason", "expectedVersion"));
        Long expected = Json.optionalVersion(body, "expectedVersion", "expectedVersion");
        CommandResult result = execute(ctx, List.of(new Command.ArchiveEnvironment(environment, expected)),
                Json.optionalText(body, "reason", "reason", null));
        render(ctx, 200, ResultJson.single(result));
    }

    /** Reads in an environment nobody declared are refused like writes, so a typo is noticed. */
    private void requireDeclared(String environment) {
        if (model.environment(environment) == null) {
            throw new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, null, "environment '" + environment
                    + "' is not declared (GET /api/v1/environments lists the declared ones)");
        }
    }

    // ------------------------------------------------------------------ reads

    private void listFlags(Context ctx) {
        String environment = environment(ctx);
        require(ctx, Role.VIEWER, environment);
        requireDeclared(environment);
        String tag = ctx.queryParam("tag");
        boolean archived = Boolean.parseBoolean(ctx.queryParam("includeArchived"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("flags");
        for (FlagState state : model.flags(environment)) {
            if ((archived || !state.getArchived()) && (tag == null || state.getDefinition().getTags().contains(tag))) {
                items.add(StateJson.flag(state));
            }
        }
        render(ctx, 200, body);
    }

    private void readFlag(Context ctx) {
        String environment = environment(ctx);
        require(ctx, Role.VIEWER, environment);
        requireDeclared(environment);
        String key = ctx.pathParam("key");
        Names.checkFlagKey(key, "key");
        FlagState state = model.flag(environment, key);
        if (state == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, null, "flag '" + key + "' does not exist in environment '"
                    + environment + "'");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        render(ctx, 200, StateJson.flag(state));
    }

    private void listSegments(Context ctx) {
        String environment = environment(ctx);
        require(ctx, Role.VIEWER, environment);
        requireDeclared(environment);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("segments");
        model.segments(environment).forEach(s -> items.add(StateJson.segment(s)));
        render(ctx, 200, body);
    }

    private void readSegment(Context ctx) {
        String environment = environment(ctx);
        require(ctx, Role.VIEWER, environment);
        String key = ctx.pathParam("key");
        Names.checkSegmentKey(key, "key");
        requireDeclared(environment);
        SegmentState state = model.segment(environment, key);
        if (state == null) {
            throw new CommandException(ErrorCode.SEGMENT_NOT_FOUND, null, "segment '" + key + "' does not exist in environment '"
                    + environment + "'");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        render(ctx, 200, StateJson.segment(state));
    }

    private void listTokens(Context ctx) {
        Authenticator.requireAdminAnywhere(principal(ctx), "listing tokens");
        TokenRegistry tokens = authenticator.tokens();
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("tokens");
        if (tokens != null) {
            for (Principal p : tokens.principals()) {
                ObjectNode item = items.addObject().put("id", p.id()).put("kind", p.kind().name());
                ObjectNode grants = item.putObject("grants");
                p.grants().forEach((env, role) -> grants.put(env, role.name().toLowerCase(Locale.ROOT)));
            }
        }
        render(ctx, 200, body);
    }

    // ------------------------------------------------------------------ writes

    /** Builds the command object of a single-command endpoint from its path and body. */
    private Supplier<Command> action(Context ctx, String action, String targetField) {
        return () -> {
            String environment = environment(ctx);
            requireDeclared(environment); // before the body: a typo in the path is the first thing to say
            ObjectNode node = (ObjectNode) Json.parse(ctx.bodyAsBytes(), false);
            if (action.equals("replaceFlag") && node.has("key")) {
                // a definition read with GET carries its key: accepted when it is the path's
                JsonNode key = node.remove("key");
                if (!key.isTextual() || !key.textValue().equals(ctx.pathParam("key"))) {
                    throw CommandException.invalid("key", "key in the body (" + Json.abbreviate(String.valueOf(key))
                            + ") is not the flag in the path (" + Json.abbreviate(ctx.pathParam("key")) + ")");
                }
            }
            for (String fromPath : targetField == null ? List.of("action", "environment") : List.of("action", "environment", targetField)) {
                if (node.has(fromPath)) {
                    throw CommandException.invalid(fromPath, "unknown field '" + fromPath + "'; the route gives it");
                }
            }
            Json.optionalText(node, "reason", "reason", null); // checked here, taken by reasonOf
            node.remove("reason");
            node.put("action", action).put("environment", environment);
            if (targetField != null) {
                node.put(targetField, ctx.pathParam("key"));
            }
            String ifMatch = ctx.header("If-Match");
            if (ifMatch != null && !ifMatch.isBlank()) {
                long fromHeader;
                try {
                    fromHeader = Long.parseLong(ifMatch.trim().replace("\"", "").replace("W/", ""));
                } catch (NumberFormatException e) {
                    throw CommandException.invalid("If-Match", "If-Match must be a version such as \"3\"");
                }
                Long fromBody = Json.optionalVersion(node, "expectedVersion", "expectedVersion");
                if (fromBody != null && fromBody != fromHeader) {
                    throw CommandException.invalid("If-Match", "If-Match (" + fromHeader + ") and expectedVersion ("
                            + fromBody + ") disagree");
                }
                node.put("expectedVersion", fromHeader);
            }
            return CommandJson.parse(node);
        };
    }

    private void single(Context ctx, Supplier<Command> command) {
        Command parsed = command.get();
        require(ctx, Role.EDITOR, parsed.environment());
        CommandResult result = execute(ctx, List.of(parsed), reasonOf(ctx));
        render(ctx, 200, ResultJson.single(result));
    }

    private void created(Context ctx, Supplier<Command> command) {
        Command parsed = command.get();
        require(ctx, Role.EDITOR, parsed.environment());
        CommandResult result = execute(ctx, List.of(parsed), reasonOf(ctx));
        var target = result.changes().get(0).target();
        ctx.header("Location", "/api/v1/environments/" + target.environment() + "/"
                + (target.kind() == io.flagplane.command.domain.Target.Kind.FLAG ? "flags/" : "segments/") + target.key());
        render(ctx, result.replayed() ? 200 : 201, ResultJson.single(result));
    }

    private void changeSetRequest(Context ctx) {
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", java.util.Set.of("commands", "reason"));
        JsonNode commands = body.get("commands");
        if (commands == null || !commands.isArray() || commands.isEmpty()) {
            throw CommandException.invalid("commands", "a change set needs a non-empty \"commands\" array");
        }
        if (commands.size() > MAX_CHANGE_SET) {
            throw CommandException.invalid("commands", "a change set holds at most " + MAX_CHANGE_SET + " commands");
        }
        List<Command> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (!commands.get(i).isObject()) {
                throw CommandException.invalid("commands[" + i + "]", "each command is an object with an \"action\"");
            }
            try {
                parsed.add(CommandJson.parse(commands.get(i)));
            } catch (CommandException e) {
                throw e.under("commands[" + i + "]");
            }
        }
        changeSet(ctx, parsed, Json.optionalText(body, "reason", "reason", null));
    }

    private void changeSet(Context ctx, List<Command> commands, String reason) {
        for (Command command : commands) {
            require(ctx, Role.EDITOR, command.environment());
        }
        CommandResult result = execute(ctx, commands, reason);
        render(ctx, 200, ResultJson.changeSet(result));
    }

    private static String reasonOf(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return null;
        }
        return Json.optionalText(Json.parse(bytes, false), "reason", "reason", null);
    }

    private CommandResult execute(Context ctx, List<Command> commands, String reason) {
        if (reason != null && reason.length() > 1_000) {
            throw CommandException.invalid("reason", "reason is longer than 1000 characters");
        }
        String idempotencyKey = ctx.header("Idempotency-Key");
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw CommandException.invalid("Idempotency-Key", "Idempotency-Key is 1 to 200 printable ASCII characters");
        }
        for (Command command : commands) {
            Aggregates.precheck(command);
        }
        CommandRequest request = new CommandRequest(commands, principal(ctx).actor(), reason, idempotencyKey,
                idempotencyKey == null ? null : fingerprint(ctx));
        try {
            CommandResult result = processor.submit(request).get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result.replayed()) {
                ctx.header("Idempotent-Replayed", "true");
            }
            return result;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandException refused) {
                throw refused;
            }
            throw new CommandException(ErrorCode.INTERNAL, null, HttpErrors.internal(LOG, ctx.method().name(), ctx.path(),
                    e.getCause()));
        } catch (TimeoutException e) {
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "no confirmation from Kafka within "
                    + commandTimeout.toSeconds() + " s; the outcome is unknown, retry with the same Idempotency-Key");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "interrupted");
        }
    }

    /** SHA-256 of the request as sent (method, path, If-Match, body): a retry repeats all four. */
    private static String fingerprint(Context ctx) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            String ifMatch = ctx.header("If-Match");
            digest.update((ctx.method().name() + " " + ctx.path() + "\n" + (ifMatch == null ? "" : ifMatch) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            digest.update(ctx.bodyAsBytes());
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String environment(Context ctx) {
        String environment = ctx.pathParam("env");
        Names.checkEnvironment(environment);
        return environment;
    }

    // ------------------------------------------------------------------ rendering

    static int statusOf(ErrorCode code) {
        return switch (code) {
            case MALFORMED_REQUEST -> 400;
            case INVALID_FIELD, INVALID_FLAG_KEY, INVALID_ENVIRONMENT -> 422;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case FLAG_NOT_FOUND, SEGMENT_NOT_FOUND, NO_MATCHING_FLAGS, NOT_FOUND, ENVIRONMENT_NOT_FOUND -> 404;
            case FLAG_ALREADY_EXISTS, SEGMENT_ALREADY_EXISTS, SEGMENT_IN_USE, VERSION_CONFLICT, INVALID_STATE,
                    ENVIRONMENT_ALREADY_EXISTS, ENVIRONMENT_IN_USE -> 409;
            case IDEMPOTENCY_KEY_REUSED -> 422;
            case BODY_TOO_LARGE -> 413;
            case WRITER_FENCED, UNAVAILABLE, NOT_READY -> 503;
            case INTERNAL -> 500;
        };
    }

    private static void renderError(Context ctx, CommandException e) {
        // a reference to a missing segment inside a definition is a field error, not a missing resource
        int status = e.code() == ErrorCode.SEGMENT_NOT_FOUND && e.field() != null ? 422 : statusOf(e.code());
        renderError(ctx, e, status);
    }

    private static void renderError(Context ctx, CommandException e, int status) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", e.code().name());
        if (e.field() != null) {
            error.put("field", e.field());
        }
        error.put("message", e.getMessage());
        if (e.currentVersion() != null) {
            error.put("currentVersion", e.currentVersion());
        }
        if (!e.details().isEmpty()) {
            e.details().forEach(error.putArray("details")::add);
        }
        if (status == 503) {
            ctx.header("Retry-After", "1");
        }
        render(ctx, status, body);
    }

    private static void render(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = CommandHttpApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
