package io.flagplane.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.fixtures.ExperimentStates;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.reporting.tracking.InvalidTrackingEvent;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a FlagplaneClient logs on flag-exposures and sends on tracking-events, read back from the real broker. */
@ExtendWith(SharedTestStack.class)
class FlagplaneClientExperimentsIT {

    private static final String FLAG = "pricing.upfront_fees";

    private static FlagplaneClient.Builder client(TestStack stack, TopicNames topics, String nodeId) {
        return FlagplaneClient.builder().bootstrapServers(stack.bootstrapServers()).schemaRegistryUrl(stack.schemaRegistryUrl())
                .topicPrefix(topics.flagState().replace("flag-state", "")).environment("production")
                .reporting(ReportingSettings.defaults().withEnabled(false)).nodeId(nodeId);
    }

    @Test
    void each_user_evaluated_under_a_running_experiment_is_one_exposure_with_the_variant_served(TestStack stack)
            throws Exception {
        TopicNames topics = stack.newTopics("sdk-exposures");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 3, "upfront-fees",
                ExperimentStatus.RUNNING));
        Map<String, String> served = new HashMap<>();

        try (TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.flagExposures(), Exposure.class)) {
            FlagplaneClient flags = client(stack, topics, "checkout-7").build();
            try (flags) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 20; i++) {
                        Evaluation<Boolean> result = flags.booleanDetail(FLAG, false, EvaluationContext.of("user-" + i));
                        assertThat(result.experiment()).isEqualTo("upfront-fees");
                        served.put("user-" + i, result.variant());
                    }
                }
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exposures.records().size() >= 20);
                assertThat(flags.exposureStats().logged()).isEqualTo(20);
                assertThat(flags.exposureStats().deduplicated()).isEqualTo(40);
            }
            assertThat(flags.exposureStats().sent()).isEqualTo(20);
            assertThat(exposures.records()).as("closing sent nothing more").hasSize(20).allSatisfy(record -> {
                Exposure exposure = record.value();
                assertThat(record.key()).isEqualTo(RecordKeys.ofUser("production", exposure.getTargetingKey()));
                assertThat(exposure.getEnvironment()).isEqualTo("production");
                assertThat(exposure.getExperimentKey()).isEqualTo("upfront-fees");
                assertThat(exposure.getFlagKey()).isEqualTo(FLAG);
                assertThat(exposure.getFlagVersion()).isEqualTo(3);
                assertThat(exposure.getVariant()).isEqualTo(served.get(exposure.getTargetingKey()));
                assertThat(exposure.getNodeId()).isEqualTo("checkout-7");
            });
            assertThat(exposures.values()).extracting(Exposure::getTargetingKey).doesNotHaveDuplicates();
            assertThat(served.values()).contains("on", "off");
        }
    }

    @Test
    void a_pause_stops_exposures_and_a_resume_restarts_them_as_soon_as_the_flag_state_arrives(TestStack stack)
            throws Exception {
        TopicNames topics = stack.newTopics("sdk-pause");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 3, "upfront-fees",
                ExperimentStatus.RUNNING));

        try (TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.flagExposures(), Exposure.class)) {
            try (FlagplaneClient flags = client(stack, topics, "checkout-8").build()) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                flags.getBoolean(FLAG, false, EvaluationContext.of("before-pause"));

                stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 4, "upfront-fees",
                        ExperimentStatus.PAUSED));
                awaitVersion(flags, 4);
                flags.getBoolean(FLAG, false, EvaluationContext.of("while-paused"));

                stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 5, "upfront-fees",
                        ExperimentStatus.RUNNING));
                awaitVersion(flags, 5);
                flags.getBoolean(FLAG, false, EvaluationContext.of("after-resume"));

                stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 6, "upfront-fees",
                        ExperimentStatus.STOPPED));
                awaitVersion(flags, 6);
                flags.getBoolean(FLAG, false, EvaluationContext.of("after-stop"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exposures.records().size() >= 2);
            assertThat(exposures.values()).extracting(e -> e.getTargetingKey() + "@" + e.getFlagVersion())
                    .containsExactlyInAnyOrder("before-pause@3", "after-resume@5");
        }
    }

    /** Waits for the client to serve the version; the probe has no targeting key, so it exposes nobody. */
    private static void awaitVersion(FlagplaneClient flags, long version) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> flags.booleanDetail(FLAG, false, EvaluationContext.empty()).flagVersion() == version);
    }

    @Test
    void track_sends_a_tracking_event_and_an_invalid_one_throws_and_sends_nothing(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("sdk-track");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 3, "upfront-fees",
                ExperimentStatus.RUNNING));

        try (TelemetryReader<TrackingEvent> events = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.trackingEvents(), TrackingEvent.class)) {
            FlagplaneClient flags = client(stack, topics, "checkout-9").exposures(false).build();
            try (flags) {
                EvaluationContext user = EvaluationContext.of("user-1", Map.of("tier", "pro"));
                assertThat(flags.track("booking_confirmed", user, OptionalDouble.of(42.5), Map.of("plan", "pro", "seats", 3)))
                        .isTrue();
                assertThat(flags.track("page_viewed", user)).isTrue();

                assertThatThrownBy(() -> flags.track("booking confirmed", user)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("eventKey ");
                assertThatThrownBy(() -> flags.track("booking_confirmed", EvaluationContext.empty()))
                        .isInstanceOfSatisfying(InvalidTrackingEvent.class, e -> assertThat(e.field()).isEqualTo("targetingKey"));
                assertThatThrownBy(() -> flags.track("booking_confirmed", user, Double.NaN))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("value ");
                assertThatThrownBy(() -> flags.track("booking_confirmed", user, OptionalDouble.empty(),
                        Map.of("cart", Map.of("items", 2)))).hasMessageContaining("attributes are flat");
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.records().size() >= 2);
            }
            assertThat(flags.trackingStats()).isEqualTo(new io.flagplane.reporting.tracking.TrackingLog.Stats(2, 0, 4, 2, 0));
            assertThat(flags.exposureStats().logged()).as("exposures off").isZero();
            assertThat(events.records()).hasSize(2);
            TelemetryReader.Keyed<TrackingEvent> booking = events.records().stream()
                    .filter(r -> r.value().getEventKey().equals("booking_confirmed")).findFirst().orElseThrow();
            assertThat(booking.key()).isEqualTo(RecordKeys.ofUser("production", "user-1"));
            assertThat(booking.value().getTargetingKey()).isEqualTo("user-1");
            assertThat(booking.value().getValue()).isEqualTo(42.5);
            assertThat(booking.value().getAttributes()).containsEntry("plan", "pro").containsEntry("seats", 3L);
            assertThat(booking.value().getSource()).isEqualTo("checkout-9");
            assertThat(booking.value().getEnvironment()).isEqualTo("production");
            assertThat(booking.value().getEventId()).isNotBlank();
        }
    }
}
