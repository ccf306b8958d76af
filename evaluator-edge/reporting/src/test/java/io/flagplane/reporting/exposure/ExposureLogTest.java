package io.flagplane.reporting.exposure;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Exposure;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.Reason;
import io.flagplane.reporting.telemetry.TelemetrySink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The exposure log without a broker: a sink that keeps what it is given (or fails it), a clock
 * moved by hand, and the background thread's step taken by the test ({@code pumpAll}).
 */
class ExposureLogTest {

    private static final Instant START = Instant.parse("2026-11-26T09:00:00Z");

    /** Keeps every exposure; fails them while {@link #down} is set. */
    static final class FakeSink implements TelemetrySink<Exposure> {
        final List<Exposure> sent = new CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public void send(Exposure item, Outcome outcome) {
            if (down) {
                outcome.failed("Kafka is away");
            } else {
                sent.add(item);
                outcome.sent();
            }
        }
    }

    private final MovableClock clock = new MovableClock(START);
    private final FakeSink sink = new FakeSink();

    private ExposureLog log(ExposureSettings settings) {
        return new ExposureLog(settings, "edge-7", sink, clock, false);
    }

    private static Evaluation<Object> exposure(String experiment, String variant, long version) {
        return new Evaluation<>(variant.equals("on"), variant, Reason.SPLIT, null, null, version, Map.of(), experiment);
    }

    private static final Evaluation<Object> ON = exposure("upfront-fees", "on", 12);
    private static final Evaluation<Object> OFF = exposure("upfront-fees", "off", 12);

    @Test
    void a_users_first_exposure_is_sent_with_experiment_flag_version_variant_user_instant_and_node() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "pricing.upfront", ON, "user-1");
        log.pumpAll();

        assertThat(sink.sent).singleElement().satisfies(e -> {
            assertThat(e.getEnvironment()).isEqualTo("production");
            assertThat(e.getExperimentKey()).isEqualTo("upfront-fees");
            assertThat(e.getFlagKey()).isEqualTo("pricing.upfront");
            assertThat(e.getFlagVersion()).isEqualTo(12);
            assertThat(e.getVariant()).isEqualTo("on");
            assertThat(e.getTargetingKey()).isEqualTo("user-1");
            assertThat(e.getExposedAt()).isEqualTo(START);
            assertThat(e.getNodeId()).isEqualTo("edge-7");
        });
        assertThat(log.stats()).isEqualTo(new ExposureLog.Stats(1, 0, 0, 0, 1, 0, 0));
    }

    @Test
    void the_same_user_is_logged_once_per_window_and_the_repeats_are_counted() {
        ExposureLog log = log(ExposureSettings.defaults().withDedupWindow(Duration.ofHours(1)));

        for (int i = 0; i < 5; i++) {
            log.log("production", "pricing.upfront", ON, "user-1");
        }
        clock.advance(Duration.ofMinutes(59));
        log.log("production", "pricing.upfront", ON, "user-1");
        log.pumpAll();
        assertThat(sink.sent).hasSize(1);
        assertThat(log.stats().deduplicated()).isEqualTo(5);

        clock.advance(Duration.ofMinutes(1));
        log.log("production", "pricing.upfront", ON, "user-1");
        log.pumpAll();
        assertThat(sink.sent).hasSize(2);
        assertThat(sink.sent.get(1).getExposedAt()).isEqualTo(START.plus(Duration.ofHours(1)));
    }

    @Test
    void users_experiments_and_environments_are_de_duplicated_apart() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "pricing.upfront", ON, "user-1");
        log.log("production", "pricing.upfront", OFF, "user-2");
        log.log("staging", "pricing.upfront", ON, "user-1");
        log.log("production", "checkout.copy", exposure("copy-test", "on", 3), "user-1");
        log.log("production", "pricing.upfront", ON, "user-1");
        log.pumpAll();

        assertThat(sink.sent).extracting(e -> e.getEnvironment() + "/" + e.getExperimentKey() + "/" + e.getTargetingKey())
                .containsExactly("production/upfront-fees/user-1", "production/upfront-fees/user-2",
                        "staging/upfront-fees/user-1", "production/copy-test/user-1");
        assertThat(log.stats().deduplicated()).isEqualTo(1);
    }

    private static Evaluation<Object> planResult(String plan, String variant, Reason reason, String experiment) {
        return new Evaluation<>(variant.equals("on"), variant, reason, null, null, 21, Map.of(), experiment, plan);
    }

    @Test
    void every_evaluation_of_a_flag_under_a_plan_is_a_plan_exposure_with_the_plan_key_and_an_empty_experiment_key() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "charges.ui", planResult("charges-phases", "on", Reason.TARGETING_MATCH, null), "user-1");
        log.log("production", "charges.ui", planResult("charges-phases", "off", Reason.DISABLED, null), "user-2");
        log.pumpAll();

        assertThat(sink.sent).hasSize(2);
        assertThat(sink.sent.get(0)).satisfies(e -> {
            assertThat(e.getPlanKey()).isEqualTo("charges-phases");
            assertThat(e.getExperimentKey()).isEmpty();
            assertThat(e.getFlagKey()).isEqualTo("charges.ui");
            assertThat(e.getFlagVersion()).isEqualTo(21);
            assertThat(e.getVariant()).isEqualTo("on");
            assertThat(e.getTargetingKey()).isEqualTo("user-1");
            assertThat(e.getExposedAt()).isEqualTo(START);
            assertThat(e.getNodeId()).isEqualTo("edge-7");
        });
        assertThat(sink.sent.get(1).getVariant()).isEqualTo("off");
    }

    @Test
    void plan_exposures_are_de_duplicated_per_plan_user_and_variant_within_the_window() {
        ExposureLog log = log(ExposureSettings.defaults().withDedupWindow(Duration.ofHours(1)));
        Evaluation<Object> off = planResult("rollout", "off", Reason.SPLIT, null);
        Evaluation<Object> on = planResult("rollout", "on", Reason.SPLIT, null);

        log.log("production", "checkout.new_ui", off, "user-1");
        log.log("production", "checkout.new_ui", off, "user-1");
        clock.advance(Duration.ofMinutes(10));
        log.log("production", "checkout.new_ui", on, "user-1");   // the next step moved user-1 to on: exposed again
        log.log("production", "checkout.new_ui", on, "user-1");
        log.log("production", "checkout.new_ui", off, "user-1");  // a rollback within the window: off was logged already
        log.pumpAll();

        assertThat(sink.sent).extracting(Exposure::getVariant).containsExactly("off", "on");
        assertThat(log.stats().deduplicated()).isEqualTo(3);
    }

    @Test
    void a_split_measured_by_an_experiment_on_a_flag_under_a_plan_is_logged_once_for_each() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "pricing.upfront", planResult("rollout", "on", Reason.SPLIT, "upfront-fees"), "user-1");
        log.pumpAll();

        assertThat(sink.sent).extracting(e -> e.getExperimentKey() + "|" + e.getPlanKey())
                .containsExactly("upfront-fees|null", "|rollout");
    }

    @Test
    void a_plan_flag_serving_the_callers_default_has_no_variant_to_expose() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "no.off", new Evaluation<>(true, null, Reason.DISABLED, null, null, 3, Map.of(), null, "rollout"),
                "user-1");
        log.pumpAll();

        assertThat(sink.sent).isEmpty();
        assertThat(log.stats()).isEqualTo(ExposureLog.Stats.ZERO);
    }

    @Test
    void a_result_that_is_no_exposure_is_not_logged_or_counted() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "pricing.upfront", new Evaluation<>(true, "on", Reason.SPLIT, null, null, 12), "user-1");
        log.log("production", "pricing.upfront", Evaluation.error(false, io.flagplane.evaluation.ErrorCode.FLAG_NOT_FOUND,
                "no", 0), "user-1");
        log.pumpAll();

        assertThat(sink.sent).isEmpty();
        assertThat(log.stats()).isEqualTo(ExposureLog.Stats.ZERO);
    }

    @Test
    void an_exposure_without_a_targeting_key_cannot_be_attributed_and_is_only_counted() {
        ExposureLog log = log(ExposureSettings.defaults());

        log.log("production", "pricing.upfront", ON, null);
        log.log("production", "pricing.upfront", ON, "");
        log.pumpAll();

        assertThat(sink.sent).isEmpty();
        assertThat(log.stats().withoutTargetingKey()).isEqualTo(2);
    }

    @Test
    void a_full_buffer_drops_and_counts_and_the_dropped_users_next_evaluation_logs_again() {
        ExposureLog log = log(ExposureSettings.defaults().withBufferCapacity(2));

        log.log("production", "pricing.upfront", ON, "user-1");
        log.log("production", "pricing.upfront", ON, "user-2");
        log.log("production", "pricing.upfront", ON, "user-3");   // no room: dropped, forgotten
        assertThat(log.stats().dropped()).isEqualTo(1);
        log.pumpAll();

        log.log("production", "pricing.upfront", ON, "user-3");
        log.log("production", "pricing.upfront", ON, "user-1");   // logged a moment ago
        log.pumpAll();

        assertThat(sink.sent).extracting(Exposure::getTargetingKey).containsExactly("user-1", "user-2", "user-3");
        assertThat(log.stats()).isEqualTo(new ExposureLog.Stats(3, 1, 1, 0, 3, 0, 0));
    }

    @Test
    void exposures_kafka_does_not_take_are_counted_as_send_errors() {
        ExposureLog log = log(ExposureSettings.defaults());
        sink.down = true;

        log.log("production", "pricing.upfront", ON, "user-1");
        log.log("production", "pricing.upfront", ON, "user-2");
        log.pumpAll();

        assertThat(log.stats().sendErrors()).isEqualTo(2);
        assertThat(log.stats().sent()).isZero();
    }

    @Test
    void with_a_zero_window_every_evaluation_is_an_exposure_logged() {
        ExposureLog log = log(ExposureSettings.defaults().withDedupWindow(Duration.ZERO));

        for (int i = 0; i < 3; i++) {
            log.log("production", "pricing.upfront", ON, "user-1");
        }
        log.pumpAll();

        assertThat(sink.sent).hasSize(3);
    }

    @Test
    void targeting_keys_longer_than_what_is_kept_are_told_apart_by_their_hash() {
        ExposureLog log = log(ExposureSettings.defaults());
        String longKey = "u".repeat(500);

        log.log("production", "pricing.upfront", ON, longKey + "a");
        log.log("production", "pricing.upfront", ON, longKey + "b");
        log.log("production", "pricing.upfront", ON, new String(longKey + "a"));
        log.pumpAll();

        assertThat(sink.sent).hasSize(2);
        assertThat(log.stats().deduplicated()).isEqualTo(1);
    }

    @Test
    void the_off_log_logs_nothing() {
        ExposureLog.OFF.log("production", "pricing.upfront", ON, "user-1");

        assertThat(ExposureLog.OFF.enabled()).isFalse();
        assertThat(ExposureLog.OFF.stats()).isEqualTo(ExposureLog.Stats.ZERO);
        assertThat(ExposureLog.start(ExposureSettings.disabled(), "n", sink)).isSameAs(ExposureLog.OFF);
    }
}
