package io.flagplane.command.http;

import io.flagplane.auth.Authenticator;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.command.CommandMetrics;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.WriteModel;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * The command API, versioned under {@code /api/v1} and scoped by environment, described by
 * {@code /api/v1/openapi.yaml}: built here from its collaborators. Every request under
 * {@code /api/v1} is authenticated first ({@link Authenticator}); then the routes of
 * {@link EnvironmentRoutes}, {@link ReadRoutes}, {@link WriteRoutes} (and the policy, change-request,
 * experiment, rollout-plan, scheduled-change and preview routes beside them) parse, check the role,
 * hand commands to the single writer ({@link Submission}) and render what it did. Every refusal is
 * rendered in {@link CommandErrors}. Operations ({@code /health/live}, {@code /health/ready},
 * {@code /metrics}) are outside {@code /api/v1} and open to the infrastructure that watches the
 * service, like the edge node's. A standby (or an instance still reading the log) answers every
 * {@code /api/v1} request with 503 before authenticating it ({@link WriterGate}); its
 * {@code /health/ready} is 503 with {@code "role": "standby"}, so a load balancer that routes by
 * readiness sends everything to the active writer.
 */
public final class CommandHttpApi {

    static final long MAX_BODY_BYTES = 4 * 1024 * 1024L;
    private static final String ENV = "/api/v1/environments/{env}";

    private CommandHttpApi() {
    }

    /**
     * @param tokens the accepted tokens, or null to run without authentication (everyone is an
     *               anonymous admin: local experiments only)
     */
    public static Javalin create(CommandProcessor processor, WriteModel model, CommandMetrics metrics, TokenRegistry tokens,
                                 Duration commandTimeout) {
        return create(processor, model, metrics, tokens, commandTimeout, Clock.systemUTC());
    }

    /** @param clock what "now" is for instants a request names (a scheduled change's applyAt, a preview's asOf) */
    public static Javalin create(CommandProcessor processor, WriteModel model, CommandMetrics metrics, TokenRegistry tokens,
                                 Duration commandTimeout, Clock clock) {
        Authenticator authenticator = tokens == null ? Authenticator.open() : Authenticator.of(tokens);
        Submission submission = new Submission(processor, model, commandTimeout);
        String openApi = resource("/openapi/command-api.yaml");
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            CommandErrors.install(config, MAX_BODY_BYTES);
            var routes = config.routes;

            routes.before("/api/v1/*", ctx -> {
                if (!ctx.path().equals("/api/v1/openapi.yaml")) {
                    WriterGate.check(processor.state());
                    ctx.attribute(Requests.PRINCIPAL, authenticator.authenticate(ctx.header("Authorization"), null));
                }
            });
            new EnvironmentRoutes(model, submission).register(routes, ENV);
            new ReadRoutes(model, authenticator).register(routes, ENV);
            new WriteRoutes(model, submission).register(routes, ENV);
            new PolicyRoutes(model, submission).register(routes, ENV);
            new ChangeRequestRoutes(model, submission).register(routes, ENV);
            new ExperimentRoutes(model, submission).register(routes, ENV);
            new PlanRoutes(model, submission).register(routes, ENV);
            new ScheduledChangeRoutes(model, submission, clock).register(routes, ENV);
            new PreviewRoutes(model, clock).register(routes, ENV);
            routes.get("/api/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));

            routes.get("/health/live", ctx -> CommandErrors.json(ctx, 200, Json.MAPPER.createObjectNode().put("status", "UP")));
            routes.get("/health/ready", ctx -> {
                CommandProcessor.State state = processor.state();
                boolean ready = state == CommandProcessor.State.ACTIVE || state == CommandProcessor.State.RECOVERING;
                CommandErrors.json(ctx, ready ? 200 : 503, Json.MAPPER.createObjectNode()
                        .put("status", ready ? "READY" : state.name())
                        .put("role", state == CommandProcessor.State.STANDBY ? "standby" : "active")
                        .put("writerState", state.name().toLowerCase(Locale.ROOT))
                        .put("flags", model.flagCount()));
            });
            routes.get("/metrics", ctx -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
                metrics.write(out);
                ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
            });
        });
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
