package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.Topics;
import io.flagplane.fixtures.Events;
import io.flagplane.projection.guardrails.Plans;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Guardrails end to end on the real broker: seed 001's plan at its beta step, written to
 * {@code flag-events} as the command-service writes plans; exposures (with {@code planKey}) and
 * tracked events written as evaluators and {@code track()} write them; the treatment variant fails
 * 7.2 % of its requests. The projection publishes a BREACHED {@code ReleaseSignal} on
 * {@code release-signals}, keyed by plan, and answers the plan and its verdict series over HTTP.
 */
@ExtendWith(SharedTestStack.class)
class GuardrailSignalsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PLANS = "/api/v1/environments/production/plans";

    private TestStack stack;
    private ProjectionFixture fixture;
    private KafkaProducer<String, byte[]> producer;
    private AvroSerializer<SpecificRecord> serializer;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        fixture = new ProjectionFixture(stack, "guardrails", 1, Map.of("projection.guardrails.interval.ms", "1000",
                "projection.guardrails.flush.ms", "200"));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
        serializer = new AvroSerializer<>(stack.registryClient(), true);
    }

    @AfterEach
    void stop() {
        producer.close();
        fixture.close();
    }

    private void send(String topic, String key, SpecificRecord value, Instant at) {
        producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), key, serializer.serialize(topic, value)));
    }

    /** Seed 001's plan with seed 000's trigger, its beta step started {@code stepStarted}: versions 1 to 4. */
    private void planAtBeta(Instant stepStarted) {
        Events.Builder plan = Events.on(Plans.ENV, Plans.PLAN);
        String key = RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN);
        List<FlagEvent> events = List.of(
                plan.version(1).at(stepStarted.minusSeconds(7_200)).with(new PlanCreated(Plans.seed001()
                        .threshold("error-rate", "http_error", "request", 0.05, 600, 100).noTraffic("traffic", 300).definition())),
                plan.version(2).at(stepStarted.minusSeconds(3_600)).with(new PlanStarted(List.of())),
                plan.version(3).at(stepStarted.minusSeconds(3_600)).with(new PlanStepStarted(0, List.of())),
                plan.version(4).at(stepStarted).with(new PlanStepStarted(1, List.of())));
        events.forEach(e -> send(fixture.topics.flagEvents(), key, e, e.getOccurredAt()));
        producer.flush();
        fixture.awaitApplied(events.size());
    }

    /** {@code users} users exposed to the variant; 5 requests each over the last nine minutes, the first {@code failing} with an error. */
    private void traffic(String variant, int users, int failing, Instant now) {
        int sent = 0;
        for (int u = 0; u < users; u++) {
            String user = variant + "-" + u;
            String key = RecordKeys.ofUser(Plans.ENV, user);
            Instant exposed = now.minus(Duration.ofMinutes(14));
            send(fixture.topics.flagExposures(), key, Plans.exposure(user, variant, exposed), exposed);
            for (int r = 0; r < 5; r++) {
                Instant at = now.minus(Duration.ofMinutes(9)).plusMillis((u * 5L + r) * 331 % 420_000);
                send(fixture.topics.trackingEvents(), key, Plans.event(user, "request", at), at);
                if (sent++ < failing) {
                    send(fixture.topics.trackingEvents(), key, Plans.event(user, "http_error", at.plusMillis(3)), at.plusMillis(3));
                }
            }
        }
        producer.flush();
    }

    /** A GET on the projection whose response (success or refusal) must match {@code openapi/projection-api.yaml}. */
    private Api.Response documented(OpenApiInteractionValidator validator, String path) {
        Api.Response response = fixture.projection().get(path);
        SimpleResponse.Builder actual = SimpleResponse.Builder.status(response.status());
        response.headers().forEach(actual::withHeader);
        actual.withBody(response.raw());
        ValidationReport report = validator.validateResponse(path.replaceAll("\\?.*", ""), Request.Method.GET, actual.build());
        assertThat(report.getMessages()).as("GET %s -> %d %s", path, response.status(), response.raw()).isEmpty();
        return response;
    }

    private static OpenApiInteractionValidator validator() throws Exception {
        try (var in = GuardrailSignalsIT.class.getResourceAsStream("/openapi/projection-api.yaml")) {
            String document = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return OpenApiInteractionValidator.createForInlineApiSpecification(document)
                    .withLevelResolver(LevelResolver.create()
                            .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE).build())
                    .build();
        }
    }

    private static GuardrailReading reading(ReleaseSignal signal, String guardrail) {
        return signal.getReadings().stream().filter(r -> r.getGuardrail().equals(guardrail)).findFirst().orElseThrow();
    }

    @Test
    void a_treatment_failing_7_percent_of_requests_gets_a_breached_signal_on_release_signals_and_the_plan_shows_it() throws Exception {
        Instant now = fixture.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        planAtBeta(now.minus(Duration.ofMinutes(15)));
        traffic("on", 200, 72, now);    // 72 of 1,000 requests: 7.2 %
        traffic("off", 100, 5, now);    // 1 %

        AtomicReference<TelemetryReader.Keyed<ReleaseSignal>> breached = new AtomicReference<>();
        try (TelemetryReader<ReleaseSignal> signals = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                fixture.topics.releaseSignals(), ReleaseSignal.class)) {
            AtomicReference<String> last = new AtomicReference<>("no signal");
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                for (TelemetryReader.Keyed<ReleaseSignal> signal : signals.records()) {
                    GuardrailReading errors = reading(signal.value(), "error-rate");
                    last.set(errors.getVerdict() + " " + errors.getSample() + " " + errors.getSummary() + " exposed "
                            + signal.value().getExposedUsers() + "; unattributed events "
                            + fixture.projections.get(0).guardrails().unattributed());
                    // the first signal once every exposure and request has been measured: earlier ones may rest on
                    // part of them (the control's traffic is sent after the treatment's and may not be folded yet)
                    if (errors.getVerdict() == GuardrailVerdict.BREACHED && errors.getSample() == 1_000
                            && signal.value().getExposedUsers().equals(Map.of("on", 200L, "off", 100L))) {
                        breached.set(signal);
                    }
                }
                assertThat(breached.get()).as("the last signal: %s", last.get()).isNotNull();
            });
        }
        ReleaseSignal signal = breached.get().value();
        assertThat(breached.get().key()).isEqualTo(RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN));
        assertThat(signal.getPlanKey()).isEqualTo(Plans.PLAN);
        assertThat(signal.getStep()).isEqualTo(1);
        assertThat(signal.getStepStartedAt()).isEqualTo(now.minus(Duration.ofMinutes(15)));
        assertThat(signal.getExposedUsers()).isEqualTo(Map.of("on", 200L, "off", 100L));
        GuardrailReading errors = reading(signal, "error-rate");
        assertThat(errors.getObserved()).isEqualTo(0.072);
        assertThat(errors.getSample()).isEqualTo(1_000);
        assertThat(errors.getSummary()).isEqualTo("http_error rate 7.2 % > 5 % over 10 min on variant on");
        assertThat(reading(signal, "traffic").getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);   // exposures were 14 minutes ago
        assertThat(stack.registryClient().lookupId(Topics.valueSubject(fixture.topics.releaseSignals()),
                ReleaseSignal.getClassSchema())).as("the value schema is registered under the topic's subject").isPositive();

        Api projection = fixture.projection();
        OpenApiInteractionValidator openApi = validator();
        JsonNode list = documented(openApi, PLANS).body();
        assertThat(list.get("plans")).extracting(p -> p.get("key").asText() + " " + p.get("status").asText())
                .containsExactly(Plans.PLAN + " RUNNING");
        JsonNode plan = documented(openApi, PLANS + "/" + Plans.PLAN).body();
        assertThat(plan.get("currentStepName").asText()).isEqualTo("beta");
        assertThat(plan.get("guardrailSignal").get("readings")).anySatisfy(r ->
                assertThat(r.get("verdict").asText() + " " + r.get("guardrail").asText()).isEqualTo("BREACHED error-rate"));
        JsonNode series = documented(openApi, PLANS + "/" + Plans.PLAN + "/signals?since="
                + now.minus(Duration.ofMinutes(5))).body();
        assertThat(series.get("signals").size()).isGreaterThanOrEqualTo(1);
        assertThat(series.get("signals").get(0).get("stepName").asText()).isEqualTo("beta");
        Api.Response missing = documented(openApi, PLANS + "/no-such-plan");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("PLAN_NOT_FOUND");
        Api.Response invalid = documented(openApi, PLANS + "/Not_A_Plan");
        assertThat(documented(openApi, PLANS + "/" + Plans.PLAN + "/signals?limit=0").errorCode()).isEqualTo("INVALID_PARAMETER");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.errorCode()).isEqualTo("INVALID_PLAN_KEY");
        JsonNode audit = projection.get("/api/v1/audit?environment=production&type=PlanStepStarted").body();
        assertThat(audit.get("entries")).extracting(e -> e.get("kind").asText() + ": " + e.get("summary").asText())
                .contains("plan: plan seed-001-rollout: step beta started (2 of 4)");
        String metrics = new String(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(fixture.projections.get(0).url() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body().getBytes());
        assertThat(metrics).contains("flagplane_guardrail_verdicts_total{kind=\"threshold\",verdict=\"breached\"}")
                .contains("flagplane_release_signals_published_total").contains("flagplane_guardrail_evaluation_seconds_bucket");
        assertThat(fixture.projections.get(0).guardrails().signals()).isPositive();
    }

    @Test
    void any_instance_answers_for_a_plan_whichever_one_evaluates_it() throws Exception {
        assertThat(fixture.addInstance().awaitRunning(WAIT)).isTrue();
        planAtBeta(fixture.clock.instant().minus(Duration.ofMinutes(15)));

        for (int instance = 0; instance < 2; instance++) {
            Api projection = fixture.projection(instance);
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Api.Response list = projection.get(PLANS);
                assertThat(list.status()).as(list.raw()).isEqualTo(200);
                assertThat(list.body().get("plans")).extracting(p -> p.get("key").asText()).containsExactly(Plans.PLAN);
                Api.Response plan = projection.get(PLANS + "/" + Plans.PLAN);
                assertThat(plan.status()).as(plan.raw()).isEqualTo(200);
                assertThat(plan.body().get("status").asText()).isEqualTo("RUNNING");
                assertThat(plan.body().get("guardrailSignal").isNull()).as("evaluated and published already").isFalse();
            });
        }
    }
}
