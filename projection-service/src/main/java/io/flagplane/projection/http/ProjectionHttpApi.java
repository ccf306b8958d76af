package io.flagplane.projection.http;

import static io.flagplane.projection.http.HttpAccess.readable;
import static io.flagplane.projection.http.HttpAccess.render;
import static io.flagplane.projection.http.HttpAccess.requireViewer;
import static io.flagplane.projection.http.RequestInput.checkRange;
import static io.flagplane.projection.http.RequestInput.instant;
import static io.flagplane.projection.http.RequestInput.limit;
import static io.flagplane.projection.http.RequestInput.nonNegativeLong;
import static io.flagplane.projection.http.RequestInput.positiveLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.auth.Authenticator;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.projection.PrometheusMetrics;
import io.flagplane.projection.experiments.ExperimentMetrics;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.projection.query.ClusterExperiments;
import io.flagplane.projection.query.ClusterPlans;
import io.flagplane.projection.guardrails.GuardrailMetrics;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.projection.query.AuditCursor;
import io.flagplane.projection.query.ClusterQueries;
import io.flagplane.projection.query.ClusterTelemetry;
import io.flagplane.projection.query.PropagationQueries;
import io.flagplane.projection.telemetry.TelemetryMetrics;
import java.time.Duration;
import io.flagplane.projection.query.LocalStores;
import io.flagplane.projection.query.Names;
import io.flagplane.projection.query.ProjectionQueries;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.flagplane.projection.query.Router;
import io.flagplane.projection.query.StateWire;
import io.flagplane.projection.query.ShareWire;
import io.flagplane.projection.query.Export;
import io.flagplane.projection.stream.EventStream;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The projection-service's HTTP surface: flags and segments now, at a version or as of an
 * instant; their history and diffs; "what would this context have been served then"; the audit
 * log; exports; the live event stream; health, status and Prometheus metrics. Any instance
 * answers any query: per-key queries go to the instance holding the key, queries over everything
 * ask every instance. Every route but health and metrics needs a token with at least
 * {@code viewer} in the environment it reads. Queries return records or the contract's states;
 * their JSON is made here ({@link ProjectionJson}).
 */
public final class ProjectionHttpApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM_REQUEST = "flagplane.stream";

    /** What the API works with. {@code tokens} null means authentication is off. */
    public record Parts(LocalStores stores, ProjectionQueries queries, ClusterQueries cluster, Router router, EventStream stream,
                        StateWire states, ShareWire shares, ProjectionMetrics metrics, PrometheusMetrics prometheus,
                        TokenRegistry tokens, Telemetry telemetry, Experiments experiments, Plans plans) {
    }

    /** What the rollout-plan routes work with ({@link PlanRoutes}); {@code clock} places the default start of a verdict series. */
    public record Plans(ClusterPlans cluster, GuardrailMetrics metrics, java.time.Clock clock) {
    }

    /** What the experiment routes work with ({@link ExperimentRoutes}); {@code clock} stamps each result. */
    public record Experiments(ClusterExperiments cluster, ExperimentEvents events, ExperimentMetrics metrics, java.time.Clock clock) {
    }

    /**
     * What the routes answered from evaluator reports work with ({@link TelemetryRoutes}).
     *
     * @param maxWait the longest {@code wait} a propagation question may ask for
     */
    public record Telemetry(ClusterTelemetry cluster, PropagationQueries propagation, PropagationEvents events,
                            TelemetryMetrics metrics, Duration maxWait) {
    }

    private final Parts parts;
    private final Authenticator authenticator;

    private ProjectionHttpApi(Parts parts) {
        this.parts = parts;
        this.authenticator = parts.tokens() == null ? Authenticator.open() : Authenticator.of(parts.tokens());
    }

    public static Javalin create(Parts parts) {
        ProjectionHttpApi api = new ProjectionHttpApi(parts);
        String openApi = openApiDocument();
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = 64 * 1024L;
            ProjectionErrors.install(config);
            var routes = config.routes;
            String env = "/api/v1/environments/{env}";

            routes.before("/api/*", ctx -> {
                if (!ctx.path().equals(OPENAPI_PATH)) {
                    api.authenticate(ctx);
                }
            });
            routes.before("/internal/*", api::authenticate);
            routes.before("/api/v1/events/stream", api::prepareStream);

            routes.get(env + "/flags/{key}", ctx -> api.perKey(ctx, flag(ctx), api::state));
            routes.get(env + "/flags/{key}/history", ctx -> api.perKey(ctx, flag(ctx), api::history));
            routes.get(env + "/flags/{key}/diff", ctx -> api.perKey(ctx, flag(ctx), api::diff));
            routes.post(env + "/flags/{key}/evaluate", ctx -> api.perKey(ctx, flag(ctx), api::evaluate));
            routes.get(env + "/segments/{key}", ctx -> api.perKey(ctx, segment(ctx), api::state));
            routes.get(env + "/segments/{key}/history", ctx -> api.perKey(ctx, segment(ctx), api::history));
            routes.get(env + "/segments/{key}/diff", ctx -> api.perKey(ctx, segment(ctx), api::diff));
            routes.get(env + "/export", api::exportEnvironment);
            routes.get("/api/v1/export", api::exportAll);
            routes.get("/api/v1/audit", api::audit);
            routes.sse("/api/v1/events/stream", api::stream);
            routes.get("/internal/v1/audit", api::auditLocal);
            routes.get("/internal/v1/export", api::exportLocal);
            routes.get("/internal/v1/environments/{env}/segments/{key}", api::segmentLocal);
            routes.get("/internal/v1/environments/{env}/flags/{key}", api::flagLocal);
            TelemetryRoutes.install(config, new TelemetryRoutes.Parts(parts.telemetry().cluster(), parts.telemetry().propagation(),
                    parts.telemetry().events(), parts.telemetry().maxWait()));

            ExperimentRoutes.install(config, new ExperimentRoutes.Parts(parts.experiments().cluster(), parts.experiments().events(),
                    parts.experiments().clock()));
            PlanRoutes.install(config, new PlanRoutes.Parts(parts.plans().cluster(), parts.plans().clock()));

            routes.get(OPENAPI_PATH, ctx -> ctx.contentType("application/yaml").result(openApi));
            routes.get("/health/live", ctx -> render(ctx, 200, JSON.createObjectNode().put("status", "UP")));
            routes.get("/health/ready", ctx -> {
                KafkaStreams.State state = parts.stores().state();
                boolean ready = state == KafkaStreams.State.RUNNING;
                render(ctx, ready ? 200 : 503, JSON.createObjectNode().put("status", state.name()));
            });
            routes.get("/api/v1/status", api::status);
            routes.get("/metrics", ctx -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
                parts.prometheus().write(out);
                ctx.status(200).contentType(parts.prometheus().contentType()).result(out.toByteArray());
            });
        });
    }

    /** The API's OpenAPI document, served without a token like {@code /health/*} and {@code /metrics}. */
    static final String OPENAPI_PATH = "/api/v1/openapi.yaml";

    private static String openApiDocument() {
        try (InputStream in = ProjectionHttpApi.class.getResourceAsStream("/openapi/projection-api.yaml")) {
            if (in == null) {
                throw new IllegalStateException("missing resource /openapi/projection-api.yaml");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FlagRef flag(Context ctx) {
        return new FlagRef(RequestInput.environment(ctx), RequestInput.flagKey(ctx));
    }

    private static SegmentRef segment(Context ctx) {
        return new SegmentRef(RequestInput.environment(ctx), RequestInput.segmentKey(ctx));
    }

    // ------------------------------------------------------------------ authentication

    private void authenticate(Context ctx) {
        ctx.attribute(HttpAccess.PRINCIPAL, authenticator.authenticate(ctx.header("Authorization"), null));
    }

    // ------------------------------------------------------------------ per-key queries

    private interface KeyQuery<R extends AggregateRef> {
        JsonNode answer(Context ctx, R subject);
    }

    /** Answers here when this instance holds the key, else passes the request to the one that does. */
    private <R extends AggregateRef> void perKey(Context ctx, R subject, KeyQuery<R> query) {
        requireViewer(ctx, subject.environment());
        if (ctx.header(Router.FORWARDED) == null) {
            Optional<HostInfo> owner = parts.router().remoteOwner(subject.eventKey());
            if (owner.isPresent()) {
                String pathAndQuery = ctx.path() + forwardedQuery(ctx);
                Router.Forwarded answer = parts.router().forward(owner.get(), ctx.method().name(), pathAndQuery,
                        ctx.header("Authorization"), ctx.bodyAsBytes());
                ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
                return;
            }
        }
        render(ctx, 200, query.answer(ctx, subject));
    }

    /**
     * The query string as parsed, encoded again: Jetty lets through characters ('|', '{', '^'...)
     * that a URI may not hold, and the hop to the other instance must not fail on them.
     */
    private static String forwardedQuery(Context ctx) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        ctx.queryParamMap().forEach((name, values) -> values.forEach(value -> query.add(encode(name) + "=" + encode(value))));
        return query.toString();
    }

    private JsonNode state(Context ctx, AggregateRef subject) {
        Instant asOf = instant(ctx, "asOf");
        Long version = positiveLong(ctx, "version");
        if (asOf != null && version != null) {
            throw QueryException.badParameter("asOf", "give \"asOf\" or \"version\", not both");
        }
        return HistoryReader.json(parts.queries().state(subject, asOf, version));
    }

    private JsonNode history(Context ctx, AggregateRef subject) {
        Long cursor = positiveLong(ctx, "cursor");
        Instant since = instant(ctx, "since");
        Instant until = instant(ctx, "until");
        checkRange(since, until);
        return ProjectionJson.history(parts.queries().history(subject, cursor, limit(ctx), since, until));
    }

    private JsonNode diff(Context ctx, AggregateRef subject) {
        Long from = nonNegativeLong(ctx, "from");
        Long to = nonNegativeLong(ctx, "to");
        if (from == null || to == null) {
            throw QueryException.badParameter(from == null ? "from" : "to", "a diff needs \"from\" and \"to\" versions, "
                    + "e.g. ?from=3&to=7 (0 = before the flag existed)");
        }
        return ProjectionJson.diff(parts.queries().diff(subject, from, to));
    }

    /**
     * What a context was served at {@code asOf} (now when absent). An instant still to come is
     * refused rather than answered with today's state: what will be served then depends on
     * scheduled changes and plan steps, which the command-service's preview applies.
     */
    private JsonNode evaluate(Context ctx, FlagRef subject) {
        Instant asOf = instant(ctx, "asOf");
        Instant now = Instant.now();
        if (asOf != null && asOf.isAfter(now)) {
            throw new QueryException(QueryErrorCode.AS_OF_IN_FUTURE, "asOf", "asOf (" + asOf + ") is in the future (it is " + now
                    + " here); the projection answers what was served up to now. For what will be served then, with pending"
                    + " scheduled changes and plan steps applied, ask the command-service: POST /api/v1/environments/"
                    + subject.environment() + "/flags/" + subject.key() + "/evaluate?asOf=" + asOf);
        }
        Instant at = asOf == null ? now : asOf;
        EvaluationContext context = RequestInput.evaluationContext(ctx.bodyAsBytes());
        return ProjectionJson.evaluation(parts.cluster().evaluate(subject, at, context, ctx.header("Authorization")));
    }

    /**
     * A segment held here as of an instant, for another instance's time-travel evaluation: the
     * contract's {@code SegmentState} ({@link StateWire}), or 204 when it did not exist then.
     * An instance that no longer holds the segment (a rebalance since the caller looked) says so
     * with 503 rather than "it did not exist".
     */
    private void segmentLocal(Context ctx) {
        SegmentRef subject = segment(ctx);
        Instant at = heldHereAt(ctx, subject);
        Optional<SegmentState> state = parts.queries().segmentAt(subject, at);
        if (state.isEmpty()) {
            ctx.status(204);
            return;
        }
        ctx.status(200).contentType(StateWire.SEGMENT_CONTENT_TYPE).result(parts.states().encodeSegment(state.get()));
    }

    /**
     * A flag held here as of an instant, for another instance's time-travel evaluation of a flag
     * that names it as a prerequisite: the contract's {@code FlagState} ({@link StateWire}), or 204
     * when it did not exist then; 503 when this instance no longer holds it.
     */
    private void flagLocal(Context ctx) {
        FlagRef subject = flag(ctx);
        Instant at = heldHereAt(ctx, subject);
        Optional<FlagState> state = parts.queries().flagAt(subject, at);
        if (state.isEmpty()) {
            ctx.status(204);
            return;
        }
        ctx.status(200).contentType(StateWire.FLAG_CONTENT_TYPE).result(parts.states().encodeFlag(state.get()));
    }

    /** The {@code asOf} of an internal state request, once the caller may read it and this instance holds it. */
    private Instant heldHereAt(Context ctx, AggregateRef subject) {
        requireViewer(ctx, subject.environment());
        Instant at = instant(ctx, "asOf");
        if (at == null) {
            throw QueryException.badParameter("asOf", "give the instant the state is wanted at, e.g. ?asOf=2026-01-01T00:00:00Z");
        }
        if (parts.router().remoteOwner(subject.eventKey()).isPresent()) {
            throw QueryException.unavailable("this instance no longer holds " + subject.describe() + " (rebalancing); retry in a moment");
        }
        return at;
    }

    // ------------------------------------------------------------------ queries over everything

    private void audit(Context ctx) {
        ProjectionQueries.AuditFilter filter = auditFilter(ctx);
        String cursor = ctx.queryParam("cursor") == null ? null : AuditCursor.decode(ctx.queryParam("cursor"), "cursor");
        int limit = limit(ctx);
        render(ctx, 200, ProjectionJson.auditPage(
                parts.cluster().audit(filter, cursor, limit, internalAuditQuery(ctx, limit), ctx.header("Authorization"))));
    }

    private void auditLocal(Context ctx) {
        ProjectionQueries.AuditFilter filter = auditFilter(ctx);
        String position = ctx.queryParam("position") == null ? null : AuditCursor.decode(ctx.queryParam("position"), "position");
        ctx.status(200).contentType(ShareWire.AUDIT_CONTENT_TYPE)
                .result(parts.shares().encode(parts.queries().auditLocal(filter, position, limit(ctx))));
    }

    private ProjectionQueries.AuditFilter auditFilter(Context ctx) {
        Instant since = instant(ctx, "since");
        Instant until = instant(ctx, "until");
        checkRange(since, until);
        String environment = RequestInput.environmentFilter(ctx);
        if (environment != null) {
            requireViewer(ctx, environment);
        }
        return new ProjectionQueries.AuditFilter(blankToNull(ctx.queryParam("actor")), blankToNull(ctx.queryParam("type")),
                blankToNull(ctx.queryParam("tag")), environment, since, until, readable(ctx));
    }

    private static String internalAuditQuery(Context ctx, int limit) {
        StringBuilder query = new StringBuilder("limit=").append(limit);
        for (String name : List.of("actor", "type", "tag", "environment", "since", "until")) {
            String value = ctx.queryParam(name);
            if (value != null) {
                query.append('&').append(name).append('=').append(encode(value));
            }
        }
        return query.toString();
    }

    private void exportAll(Context ctx) {
        String environment = RequestInput.environmentFilter(ctx);
        if (environment != null) {
            requireViewer(ctx, environment);
        }
        export(ctx, environment);
    }

    private void exportEnvironment(Context ctx) {
        String environment = RequestInput.environment(ctx);
        requireViewer(ctx, environment);
        export(ctx, environment);
    }

    private void export(Context ctx, String environment) {
        Instant asOf = instant(ctx, "asOf");
        Predicate<String> wanted = wanted(ctx, environment);
        String internal = "/internal/v1/export?" + (asOf == null ? "" : "asOf=" + encode(asOf.toString()) + "&")
                + (environment == null ? "" : "environment=" + encode(environment));
        Export all = parts.cluster().export(parts.queries().exportLocal(asOf, wanted), internal, ctx.header("Authorization"));
        render(ctx, 200, ProjectionJson.export(asOf == null ? Instant.now() : asOf, environment, all));
    }

    private void exportLocal(Context ctx) {
        String environment = RequestInput.environmentFilter(ctx);
        ctx.status(200).contentType(ShareWire.EXPORT_CONTENT_TYPE)
                .result(parts.shares().encode(parts.queries().exportLocal(instant(ctx, "asOf"), wanted(ctx, environment))));
    }

    private static Predicate<String> wanted(Context ctx, String environment) {
        Predicate<String> readable = readable(ctx);
        return environment == null ? readable : e -> e.equals(environment) && readable.test(e);
    }

    // ------------------------------------------------------------------ the live stream

    private record StreamRequest(EventStream.Filter filter, EventStream.Start start) {
    }

    /** Everything that can fail is checked here, before the event stream's 200 goes out. */
    private void prepareStream(Context ctx) {
        String environment = RequestInput.environmentFilter(ctx);
        if (environment != null) {
            requireViewer(ctx, environment);
        }
        String lastEventId = blankToNull(ctx.header("Last-Event-ID"));
        if (lastEventId == null) {
            lastEventId = blankToNull(ctx.queryParam("lastEventId"));
        }
        String flag = blankToNull(ctx.queryParam("flag"));
        if (flag != null) {
            Names.flagKey(flag, "flag");
        }
        EventStream.Start start = new EventStream.Start(lastEventId, instant(ctx, "since"));
        parts.stream().admit(start);
        ctx.attribute(STREAM_REQUEST, new StreamRequest(new EventStream.Filter(environment, flag,
                blankToNull(ctx.queryParam("tag")), blankToNull(ctx.queryParam("type")), readable(ctx)), start));
    }

    private void stream(io.javalin.http.sse.SseClient client) {
        StreamRequest request = client.ctx().attribute(STREAM_REQUEST);
        parts.stream().open(client, request.filter(), request.start());
    }

    // ------------------------------------------------------------------ status

    private void status(Context ctx) {
        ProjectionMetrics metrics = parts.metrics();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", parts.stores().state().name());
        status.put("eventsApplied", metrics.applied());
        status.put("eventsStale", metrics.stale());
        status.put("eventsRejected", metrics.rejected());
        status.put("recordsUndecodable", metrics.undecodable());
        status.put("recordsDeadLettered", metrics.deadLettered());
        status.put("eventStreamsOpen", parts.stream().openConnections());
        TelemetryMetrics reports = parts.telemetry().metrics();
        status.put("reportsFolded", reports.folded());
        status.put("reportsSkipped", reports.skipped());
        status.put("reportEntriesDropped", reports.droppedEntries());
        status.put("propagationStreamsOpen", parts.telemetry().events().openConnections());
        ExperimentMetrics experiments = parts.experiments().metrics();
        status.put("experimentRecordsFolded", experiments.folded());
        status.put("experimentRecordsSkipped", experiments.undecodable() + experiments.refused() + experiments.duplicates());
        status.put("experimentExposuresLate", experiments.late());
        status.put("experimentMixedUsers", experiments.mixed());
        status.put("experimentStreamsOpen", parts.experiments().events().openConnections());
        GuardrailMetrics guardrails = parts.plans().metrics();
        status.put("guardrailRecordsMeasured", guardrails.exposures() + guardrails.tracked());
        status.put("guardrailEvaluations", guardrails.evaluations());
        status.put("releaseSignalsPublished", guardrails.signals());
        status.put("partitions", parts.stores().state() == KafkaStreams.State.RUNNING
                ? parts.stores().localPartitions() : List.of());
        render(ctx, 200, JSON.valueToTree(status));
    }

    // ------------------------------------------------------------------ parameters

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();   // strip, not trim: trim eats NUL and other controls
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

}
