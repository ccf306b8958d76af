package io.flagplane.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.http.ErrorBodies;
import io.flagplane.http.HttpErrors;
import io.flagplane.http.HttpHardening;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's server: the static assets (plain ES modules, no build step) at {@code /},
 * {@code /console-config.json}, the pass-through {@code /upstream/<service>/...} to the three
 * services ({@link UpstreamProxy}) and {@code /health/live}. One origin for everything the browser
 * loads or calls, so the console needs no CORS on the services and no credentials of its own.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The headers on every answer: nothing inline, nothing from elsewhere, never in a frame. */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
                    + "frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");

    private final Javalin http;
    private final ConsoleConfig config;

    private ConsoleServer(ConsoleConfig config, Javalin http) {
        this.config = config;
        this.http = http;
    }

    public static ConsoleServer start(ConsoleConfig config) {
        ConsoleServer server = new ConsoleServer(config, create(config));
        server.http.start(config.host(), config.port());
        LOG.info("console at {} passing to command {}, projection {}, edge {}", server.url(), config.commandUrl(),
                config.projectionUrl(), config.edgeUrl());
        return server;
    }

    static Javalin create(ConsoleConfig config) {
        UpstreamProxy proxy = new UpstreamProxy(config.services(), Duration.ofSeconds(60));
        byte[] consoleConfig = consoleConfig(config);
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            HttpHardening.apply(javalin, ErrorBodies.API);
            // the proxy reads bodies itself, bounded by this, and says so in its own 413
            javalin.http.maxRequestSize = UpstreamProxy.MAX_BODY_BYTES;
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/console";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache");
            });
            var routes = javalin.routes;
            routes.before(ctx -> SECURITY_HEADERS.forEach(ctx::header));
            routes.get("/console-config.json", ctx -> ctx.contentType("application/json").result(consoleConfig));
            routes.get("/health/live", ctx -> ctx.contentType("application/json").result("{\"status\":\"UP\"}"));
            for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
                    HandlerType.DELETE}) {
                routes.addHttpHandler(method, "/upstream/<rest>", proxy::handle);
            }
            routes.exception(Exception.class, (e, ctx) -> {
                int clientStatus = HttpErrors.clientStatus(e);
                if (clientStatus != 0) {
                    UpstreamProxy.error(ctx, clientStatus, HttpErrors.codeOf(clientStatus), HttpErrors.sentenceOf(clientStatus));
                } else {
                    UpstreamProxy.error(ctx, 500, "INTERNAL", HttpErrors.internal(LOG, ctx.method().name(), ctx.path(), e));
                }
            });
            routes.error(404, ctx -> notFound(ctx));
        });
    }

    private static void notFound(Context ctx) {
        if (ctx.path().startsWith(UpstreamProxy.PREFIX) || ctx.res().isCommitted()) {
            return;   // a service's own 404 (or the proxy's UNKNOWN_SERVICE), passed through as it came
        }
        UpstreamProxy.error(ctx, 404, HttpErrors.codeOf(404), HttpErrors.sentenceOf(404));
    }

    private static byte[] consoleConfig(ConsoleConfig config) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode services = root.putObject("services");
        config.services().keySet().forEach(name -> services.put(name, "/upstream/" + name));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return http.port();
    }

    /** The console's URL, e.g. {@code http://127.0.0.1:8084/}. */
    public String url() {
        return "http://" + config.host() + ":" + port() + "/";
    }

    @Override
    public void close() {
        http.stop();
    }

    public static void main(String[] args) throws InterruptedException {
        ConsoleServer server = start(ConsoleConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "console-shutdown"));
        System.out.println("Flagplane console at " + server.url());
        Thread.currentThread().join();
    }
}
