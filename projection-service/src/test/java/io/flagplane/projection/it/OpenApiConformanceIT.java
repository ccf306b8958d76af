package io.flagplane.projection.it;

import static io.flagplane.projection.telemetry.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The projection's OpenAPI document describes the API it really has: every public route is called
 * (successes and refusals) and each real response is validated against the document the service
 * serves; every operation the document names is called (the server-sent-event streams aside, which
 * their own tests read), and every route called is in the document.
 */
@ExtendWith(SharedTestStack.class)
class OpenApiConformanceIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private ProjectionFixture fixture;
    private Reporter reporter;
    private OpenApiInteractionValidator validator;
    private final List<String> problems = new ArrayList<>();
    /** The document's operations the test reached, as "METHOD /template". */
    private final Set<String> reached = new TreeSet<>();
    private String document;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "openapi", 1);
        reporter = new Reporter(stack, fixture.topics.evaluatorReports());
        document = new Api(fixture.projections.get(0).url(), null).get("/api/v1/openapi.yaml").raw();
        // the validator would otherwise treat every allOf part as closed to the other parts' properties
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE).build())
                .build();
    }

    @AfterEach
    void stop() {
        reporter.close();
        fixture.close();
    }

    private Api.Response call(Api api, String method, String path, String body) {
        return check(api, method, path, body, true);
    }

    private Api.Response refused(Api api, String method, String path, String body, int status) {
        Api.Response response = check(api, method, path, body, false);
        assertThat(response.status()).as(method + " " + path + ": " + response.raw()).isEqualTo(status);
        return response;
    }

    private Api.Response check(Api api, String method, String path, String body, boolean checkRequest) {
        Api.Response response = api.send(method, path, body);
        String bare = path.replaceAll("\\?.*", "");
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method), bare)
                .withContentType("application/json").withHeader("Authorization", "Bearer x");
        if (body != null) {
            request.withBody(body);
        }
        if (path.contains("?")) {
            for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                request.withQueryParam(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        SimpleResponse.Builder actual = SimpleResponse.Builder.status(response.status());
        response.headers().forEach(actual::withHeader);
        actual.withBody(response.raw());
        ValidationReport report = checkRequest ? validator.validate(request.build(), actual.build())
                : validator.validateResponse(bare, Request.Method.valueOf(method), actual.build());
        if (report.hasErrors()) {
            problems.add(method + " " + path + " -> " + response.status() + ": " + report.getMessages());
        }
        reached.add(method + " " + template(bare));
        return response;
    }

    /** The document's path template a concrete path falls under. */
    private static String template(String path) {
        return path.replaceFirst("^/api/v1/environments/[^/]+", "/api/v1/environments/{env}")
                .replaceFirst("/(flags|segments|experiments|plans)/[^/]+", "/$1/{key}");
    }

    private static String q(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void real_responses_match_the_document_and_every_route_is_in_it() {
        Api commands = fixture.commands();
        Api admin = fixture.projection();
        Api anonymous = new Api(fixture.projections.get(0).url(), null);
        commands.post(ENV + "/segments", "{\"key\":\"beta-users\",\"included\":[\"u1\"]}");
        commands.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true,\"tags\":[\"checkout\"]}");
        Instant before = Instant.now();
        commands.patch(FLAGS + "/checkout.new_ui/rollout", "{\"percentage\":10,\"reason\":\"seed 001: internal\"}");
        commands.put(ENV + "/segments/beta-users", "{\"included\":[\"u1\",\"u2\"]}");
        commands.post(ENV + "/experiments", "{\"key\":\"pricing-test\",\"variants\":[{\"key\":\"control\",\"weight\":50},"
                + "{\"name\":\"upfront-fees\",\"weight\":50}]}");
        commands.post(ENV + "/experiments/pricing-test/launch", "{}");
        fixture.awaitApplied(7);
        reporter.send(report("edge-1").started(Instant.parse("2026-01-01T00:00:00Z")).seq(1).at(Instant.now()).heartbeat(5_000)
                .environments("production").applied("production", "checkout.new_ui", 2, Instant.now()).build());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fixture.projections.get(0).reports().folded() >= 1);

        String flag = FLAGS + "/checkout.new_ui";
        call(admin, "GET", FLAGS, null);
        call(admin, "GET", FLAGS + "?status=new", null);
        call(admin, "GET", flag, null);
        call(admin, "GET", flag + "?version=1", null);
        call(admin, "GET", flag + "?asOf=" + q(before), null);
        call(admin, "GET", flag + "/history?limit=1", null);
        call(admin, "GET", flag + "/diff?from=0&to=2", null);
        call(admin, "POST", flag + "/evaluate?asOf=" + q(Instant.now()), "{\"context\":{\"targetingKey\":\"u1\",\"plan\":\"pro\"}}");
        call(admin, "GET", flag + "/propagation?version=2&wait=1s", null);
        call(admin, "GET", flag + "/usage", null);
        call(admin, "GET", ENV + "/segments/beta-users", null);
        call(admin, "GET", ENV + "/segments/beta-users/history", null);
        call(admin, "GET", ENV + "/segments/beta-users/diff?from=1&to=2", null);
        call(admin, "GET", ENV + "/export", null);
        call(admin, "GET", "/api/v1/export?environment=production", null);
        call(admin, "GET", "/api/v1/audit?limit=3&environment=production", null);
        call(admin, "GET", "/api/v1/evaluators", null);
        call(admin, "GET", ENV + "/evaluators", null);
        call(admin, "GET", ENV + "/experiments", null);
        call(admin, "GET", ENV + "/experiments/pricing-test", null);
        call(admin, "GET", ENV + "/experiments/pricing-test/results", null);
        call(admin, "GET", ENV + "/experiments/pricing-test/results/timeseries?resolution=minute", null);
        call(admin, "GET", ENV + "/plans", null);
        call(admin, "GET", "/api/v1/status", null);
        call(anonymous, "GET", "/health/live", null);
        call(anonymous, "GET", "/health/ready", null);
        call(anonymous, "GET", "/metrics", null);
        call(anonymous, "GET", "/api/v1/openapi.yaml", null);

        refused(admin, "GET", FLAGS + "/nope", null, 400);
        refused(admin, "GET", flag + "?asOf=yesterday", null, 400);
        refused(admin, "POST", flag + "/evaluate?asOf=" + q(Instant.now().plus(Duration.ofDays(1))),
                "{\"context\":{\"targetingKey\":\"u1\"}}", 400);
        refused(admin, "GET", FLAGS + "/checkout.ghost", null, 404);
        refused(admin, "GET", flag + "?version=99", null, 404);
        refused(admin, "GET", FLAGS + "?status=forgotten", null, 400);
        refused(admin, "GET", flag + "/propagation?wait=forever", null, 400);
        refused(admin, "GET", ENV + "/experiments/ghost-test/results", null, 404);
        refused(admin, "GET", ENV + "/plans/ghost-plan", null, 404);
        refused(admin, "POST", flag + "/evaluate", "{\"context\":7}", 400);
        refused(anonymous, "GET", FLAGS, null, 401);
        refused(admin.as(fixture.stagingViewer), "GET", flag, null, 403);

        assertThat(problems).as("responses the document does not describe").isEmpty();
        // the streams are server-sent events; the conformance of their events is EventStreamIT's and EvaluatorReportsIT's
        Set<String> streams = Set.of("GET /api/v1/events/stream", "GET /api/v1/environments/{env}/flags/{key}/propagation/stream",
                "GET /api/v1/environments/{env}/experiments/{key}/results/stream",
                "GET /api/v1/environments/{env}/plans/{key}", "GET /api/v1/environments/{env}/plans/{key}/signals");
        Set<String> documented = documentedOperations();
        Set<String> notReached = new TreeSet<>(documented);
        notReached.removeAll(reached);
        notReached.removeAll(streams);
        assertThat(notReached).as("documented operations this test never called").isEmpty();
        Set<String> undocumented = new TreeSet<>(reached);
        undocumented.removeAll(documented);
        assertThat(undocumented).as("operations the service has but the document lacks").isEmpty();
    }

    /** "METHOD /path" for every operation in the document. */
    private Set<String> documentedOperations() {
        Set<String> operations = new TreeSet<>();
        String path = null;
        for (String line : document.split("\n")) {
            if (line.matches("^  /\\S+:$")) {
                path = line.trim().substring(0, line.trim().length() - 1);
            } else if (path != null && line.matches("^    (get|post|put|patch|delete):$")) {
                operations.add(line.trim().replace(":", "").toUpperCase(java.util.Locale.ROOT) + " " + path);
            } else if (line.matches("^\\S.*")) {
                path = null;
            }
        }
        return operations;
    }
}
