package io.flagplane.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.MutableTrackingEventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.ExperimentStates;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenFeature's Tracking API and experiment exposures through the provider, read back from the real broker. */
@ExtendWith(SharedTestStack.class)
class ProviderTrackingIT {

    private final OpenFeatureAPI api = OpenFeatureAPI.getInstance();

    @Test
    void client_track_sends_a_tracking_event_and_an_evaluation_under_an_experiment_logs_an_exposure(TestStack stack) {
        TopicNames topics = stack.newTopics("of-track");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", "pricing.upfront_fees", 4,
                "upfront-fees", ExperimentStatus.RUNNING));
        FlagplaneClient flags = FlagplaneClient.builder().bootstrapServers(stack.bootstrapServers())
                .schemaRegistryUrl(stack.schemaRegistryUrl()).topicPrefix(topics.flagState().replace("flag-state", ""))
                .environment("production").reporting(false).nodeId("web-3").build();
        String domain = TestStack.uniqueName("of-track");
        api.setProviderAndWait(domain, new FlagplaneProvider(flags));
        Client features = api.getClient(domain);
        ImmutableContext user = new ImmutableContext("user-1", Map.of("tier", new Value("pro")));

        try (TelemetryReader<TrackingEvent> events = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.trackingEvents(), TrackingEvent.class);
             TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                     topics.flagExposures(), Exposure.class)) {
            boolean served = features.getBooleanValue("pricing.upfront_fees", false, user);
            features.track("booking_confirmed", user, new MutableTrackingEventDetails(99.5).add("plan", "pro")
                    .add("seats", 3).add("beta", true).add("at", Instant.parse("2026-11-26T09:00:00Z")));
            features.track("page_viewed", user);
            assertThatCode(() -> {
                features.track("bad event name", user);
                features.track("booking_confirmed", new ImmutableContext());
                features.track("booking_confirmed", user, new MutableTrackingEventDetails()
                        .add("cart", new ImmutableStructure(Map.of("items", new Value(2)))));
            }).as("refused events are counted, never thrown at the application").doesNotThrowAnyException();

            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> events.records().size() >= 2 && !exposures.records().isEmpty());
            api.getProvider(domain).shutdown();

            assertThat(flags.trackingStats().invalid()).isEqualTo(3);
            assertThat(events.values()).extracting(TrackingEvent::getEventKey)
                    .containsExactlyInAnyOrder("booking_confirmed", "page_viewed");
            TelemetryReader.Keyed<TrackingEvent> booking = events.records().stream()
                    .filter(r -> r.value().getEventKey().equals("booking_confirmed")).findFirst().orElseThrow();
            assertThat(booking.key()).isEqualTo(RecordKeys.ofUser("production", "user-1"));
            assertThat(booking.value().getValue()).isEqualTo(99.5);
            assertThat(booking.value().getAttributes()).containsEntry("plan", "pro").containsEntry("seats", 3L)
                    .containsEntry("beta", true).containsEntry("at", "2026-11-26T09:00:00Z");
            assertThat(booking.value().getSource()).isEqualTo("web-3");

            assertThat(exposures.values()).singleElement().satisfies(e -> {
                assertThat(e.getExperimentKey()).isEqualTo("upfront-fees");
                assertThat(e.getTargetingKey()).isEqualTo("user-1");
                assertThat(e.getVariant()).isEqualTo(served ? "on" : "off");
                assertThat(e.getFlagVersion()).isEqualTo(4);
            });
        }
    }
}
