package io.flagplane.projection.experiments;

import static io.flagplane.projection.experiments.Experiments.LAUNCHED;
import static io.flagplane.projection.experiments.Experiments.event;
import static io.flagplane.projection.experiments.Experiments.exposure;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.WeightedVariant;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The analysis fold through Kafka Streams ({@code TopologyTestDriver}): what lands in the users, totals and series stores. */
class ExperimentFoldTopologyTest {

    private static final String CONTROL = "control";
    private static final String UPFRONT = "upfront-fees";
    private static final Instant T = LAUNCHED.plusSeconds(60);

    private ExperimentDriver driver = new ExperimentDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private void seed003() {
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 168).flagState());
    }

    @Test
    void repeated_exposures_count_the_user_once_and_every_exposure_record() {
        seed003();
        driver.send(exposure("u1", CONTROL, T));
        driver.send(exposure("u1", CONTROL, T.plusSeconds(30)));
        driver.send(exposure("u1", CONTROL, T.plusSeconds(90)));
        driver.send(exposure("u2", UPFRONT, T));

        ExperimentTotals totals = driver.totals(Experiments.KEY);
        assertThat(totals.variant(CONTROL).users()).isEqualTo(1);
        assertThat(totals.variant(CONTROL).exposures()).isEqualTo(3);
        assertThat(totals.variant(UPFRONT).users()).isEqualTo(1);
        assertThat(totals.flagKey()).isEqualTo(Experiments.FLAG);
        assertThat(driver.metrics.exposures()).isEqualTo(4);
    }

    @Test
    void a_plan_exposure_is_passed_over_neither_folded_into_an_experiment_nor_refused() {
        seed003();
        driver.send(exposure("u1", CONTROL, T));
        Exposure plan = Exposure.newBuilder(exposure("u1", UPFRONT, T.plusSeconds(5))).setExperimentKey("").setPlanKey("rollout")
                .build();
        Exposure planNamingTheExperiment = Exposure.newBuilder(exposure("u2", UPFRONT, T)).setPlanKey(Experiments.KEY).build();
        driver.send(plan);
        driver.send(planNamingTheExperiment);

        ExperimentTotals totals = driver.totals(Experiments.KEY);
        assertThat(totals.mixedUsers()).as("u1's plan exposure to another variant does not make u1 mixed").isZero();
        assertThat(totals.variant(CONTROL).users()).isEqualTo(1);
        assertThat(totals.variant(UPFRONT).users()).isZero();
        assertThat(totals.variant(UPFRONT).exposures()).isZero();
        assertThat(driver.metrics.exposures()).isEqualTo(1);
        assertThat(driver.metrics.planExposures()).isEqualTo(2);
        assertThat(driver.metrics.refused()).isZero();
    }

    @Test
    void a_conversion_counts_from_the_first_exposure_to_the_end_of_the_window_inclusive() {
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 2).flagState());
        Instant end = T.plus(Duration.ofHours(2));
        driver.send(exposure("at-start", CONTROL, T));
        driver.send(event("at-start", "e1", "booking_confirmed", null, T));
        driver.send(exposure("at-end", CONTROL, T));
        driver.send(event("at-end", "e2", "booking_confirmed", null, end));
        driver.send(exposure("after-end", CONTROL, T));
        driver.send(event("after-end", "e3", "booking_confirmed", null, end.plusMillis(1)));
        driver.send(exposure("before-start", CONTROL, T));
        driver.send(event("before-start", "e4", "booking_confirmed", null, T.minusMillis(1)));
        driver.send(exposure("other-key", CONTROL, T));
        driver.send(event("other-key", "e5", "page_viewed", null, T.plusSeconds(1)));

        ExperimentTotals.VariantTotals control = driver.totals(Experiments.KEY).variant(CONTROL);
        assertThat(control.users()).isEqualTo(5);
        assertThat(control.conversions()[0]).as("at-start and at-end").isEqualTo(2);
    }

    @Test
    void an_event_that_arrives_before_its_exposure_counts_when_the_exposure_comes_within_the_grace_period() {
        seed003();
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plusSeconds(5)), T.plusSeconds(5));
        driver.send(exposure("u1", UPFRONT, T), T.plus(Duration.ofMinutes(59)));

        assertThat(driver.totals(Experiments.KEY).variant(UPFRONT).conversions()[0]).isEqualTo(1);
        assertThat(driver.metrics.late()).isZero();
    }

    @Test
    void an_event_whose_exposure_comes_after_the_grace_period_is_gone_and_the_exposure_is_counted_late() {
        seed003();
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plusSeconds(5)), T.plusSeconds(5));
        driver.send(exposure("someone-else", CONTROL, T.plus(Duration.ofMinutes(90))));   // stream time moves on
        driver.send(exposure("u1", UPFRONT, T), T.plus(Duration.ofMinutes(90)));

        ExperimentTotals.VariantTotals upfront = driver.totals(Experiments.KEY).variant(UPFRONT);
        assertThat(upfront.users()).isEqualTo(1);
        assertThat(upfront.conversions()[0]).isZero();
        assertThat(driver.metrics.late()).isEqualTo(1);
    }

    @Test
    void an_earlier_exposure_arriving_late_moves_the_first_exposure_and_its_window() {
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 1).flagState());
        driver.send(exposure("u1", CONTROL, T.plus(Duration.ofMinutes(50))));
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plus(Duration.ofMinutes(10))));
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).conversions()[0]).as("before the first exposure known").isZero();

        driver.send(exposure("u1", CONTROL, T), T.plus(Duration.ofMinutes(51)));
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).conversions()[0]).as("now inside [T, T+1h]").isEqualTo(1);
        assertThat(driver.user("u1").exposure(Experiments.KEY).firstAtMs()).isEqualTo(T.toEpochMilli());
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).users()).isEqualTo(1);
    }

    @Test
    void a_user_served_two_variants_is_counted_as_mixed_and_taken_out_of_both_variants() {
        seed003();
        driver.send(exposure("u1", CONTROL, T));
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plusSeconds(10)));
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).conversions()[0]).isEqualTo(1);

        driver.send(exposure("u1", UPFRONT, T.plusSeconds(20)));
        ExperimentTotals totals = driver.totals(Experiments.KEY);
        assertThat(totals.mixedUsers()).isEqualTo(1);
        assertThat(totals.variant(CONTROL).users()).isZero();
        assertThat(totals.variant(CONTROL).conversions()[0]).isZero();
        assertThat(totals.variant(UPFRONT).users()).isZero();
        assertThat(totals.variant(UPFRONT).exposures()).as("the exposure records still count").isEqualTo(1);
        assertThat(driver.metrics.mixed()).isEqualTo(1);

        driver.send(exposure("u1", CONTROL, T.plusSeconds(30)));
        assertThat(driver.totals(Experiments.KEY).mixedUsers()).as("mixed stays mixed, counted once").isEqualTo(1);
    }

    @Test
    void value_metrics_sum_or_average_each_users_events_and_users_without_events_count_zero() {
        driver.publish(Experiments.pricingDisplayTest()
                .value("revenue", ValueAggregation.SUM, 168)
                .value("revenue", ValueAggregation.MEAN, 168).flagState());
        driver.send(exposure("buyer", CONTROL, T));
        driver.send(event("buyer", "e1", "revenue", 10.0, T.plusSeconds(1)));
        driver.send(event("buyer", "e2", "revenue", 20.5, T.plusSeconds(2)));
        driver.send(exposure("browser", CONTROL, T));

        ExperimentTotals.VariantTotals control = driver.totals(Experiments.KEY).variant(CONTROL);
        assertThat(control.users()).isEqualTo(2);
        assertThat(control.conversions()).containsExactly(1, 1);
        assertThat(control.sums()[0]).as("sum: 30.5 + 0").isEqualTo(Units.of(30.5));
        assertThat(control.squares(0)).isEqualTo(Int128.square(Units.of(30.5)));
        assertThat(control.sums()[1]).as("mean: 15.25 + 0").isEqualTo(Units.of(15.25));
    }

    @Test
    void a_tracked_event_sent_twice_counts_once() {
        driver.publish(Experiments.pricingDisplayTest().value("revenue", ValueAggregation.SUM, 168).flagState());
        driver.send(exposure("u1", CONTROL, T));
        driver.send(event("u1", "e1", "revenue", 5.0, T.plusSeconds(1)));
        driver.send(event("u1", "e1", "revenue", 5.0, T.plusSeconds(1)));

        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).sums()[0]).isEqualTo(Units.of(5));
        assertThat(driver.metrics.duplicates()).isEqualTo(1);
    }

    @Test
    void exposures_to_a_variant_that_is_not_an_arm_or_from_before_the_launch_and_records_keyed_for_another_user_are_refused() {
        seed003();
        driver.send(exposure("u1", "sideways", T));
        driver.send(Exposure.newBuilder(exposure("u2", CONTROL, T)).setFlagVersion(Experiments.LAUNCHED_AT_VERSION - 1).build());
        driver.sendRaw(true, "production/someone-else", new io.flagplane.wire.AvroSerializer<>(driver.registry, true)
                .serialize("flag-exposures", exposure("u3", CONTROL, T)), T);

        assertThat(driver.totals(Experiments.KEY)).isNull();
        assertThat(driver.metrics.refused()).isEqualTo(3);
    }

    @Test
    void undecodable_records_are_counted_and_skipped_and_the_fold_goes_on() {
        seed003();
        driver.sendRaw(true, "production/u1", new byte[]{0, 0, 0, 0, 42, 1, 2}, T);
        driver.sendRaw(false, "production/u1", new byte[]{7}, T);
        driver.send(exposure("u1", CONTROL, T));

        assertThat(driver.metrics.undecodable()).isEqualTo(2);
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).users()).isEqualTo(1);
    }

    @Test
    void an_exposure_of_an_experiment_not_yet_in_the_global_copy_is_counted_once_the_definition_arrives() {
        driver.send(exposure("u1", CONTROL, T));
        assertThat(driver.metrics.unknownExperiment()).isEqualTo(1);
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).users()).isZero();

        seed003();
        driver.advanceWallClock(Duration.ofSeconds(11));   // the sweep tidies the user
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).users()).isEqualTo(1);
    }

    @Test
    void a_paused_experiment_needs_nothing_special_an_exposure_logged_before_the_pause_still_counts() {
        seed003();
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 168).status(ExperimentStatus.PAUSED)
                .flagState());
        driver.send(exposure("u1", UPFRONT, T));
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plusSeconds(5)));
        assertThat(driver.totals(Experiments.KEY).variant(UPFRONT).conversions()[0]).isEqualTo(1);
    }

    @Test
    void a_stopped_experiment_keeps_counting_conversions_inside_the_window_of_users_exposed_while_it_ran() {
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 168).flagState());
        driver.send(exposure("u1", CONTROL, T));
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 168).status(ExperimentStatus.STOPPED)
                .flagState());
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plus(Duration.ofDays(2))));

        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).conversions()[0]).isEqualTo(1);
    }

    @Test
    void after_its_window_and_the_grace_period_a_user_is_final_their_events_let_go_and_a_late_event_inside_the_window_still_counts() {
        driver.publish(Experiments.pricingDisplayTest().conversion("booking_confirmed", 1).flagState());
        driver.send(exposure("u1", CONTROL, T));
        driver.send(event("u1", "e1", "booking_confirmed", null, T.plusSeconds(60)));
        driver.send(event("u1", "e2", "booking_confirmed", null, T.plus(Duration.ofMinutes(30))), T.plus(Duration.ofHours(3)));

        UserFacts facts = driver.user("u1");
        assertThat(facts.exposure(Experiments.KEY).finalised()).isTrue();
        assertThat(facts.events()).extracting(UserFacts.Tracked::eventId).as("only the latest arrival is within grace")
                .containsExactly("e2");
        assertThat(driver.totals(Experiments.KEY).variant(CONTROL).conversions()[0]).isEqualTo(1);
        assertThat(facts.exposure(Experiments.KEY).counted().count(0)).isEqualTo(2);
    }

    @Test
    void the_events_a_user_keeps_are_bounded_and_what_is_dropped_is_counted() {
        driver.close();
        driver = new ExperimentDriver(new UserFold.Limits(Duration.ofHours(1), 3, 32, 16));
        seed003();
        for (int i = 0; i < 5; i++) {
            driver.send(event("u1", "e" + i, "page_viewed", null, T.plusSeconds(i)));
        }
        assertThat(driver.user("u1").events()).extracting(UserFacts.Tracked::eventId).containsExactly("e2", "e3", "e4");
        assertThat(driver.metrics.dropped()).isEqualTo(2);
    }

    @Test
    void totals_are_copied_into_minute_and_hour_points_as_stream_time_passes() {
        seed003();
        driver.send(exposure("u1", CONTROL, T));
        driver.send(exposure("u2", UPFRONT, T.plusSeconds(61)));
        driver.send(exposure("u3", UPFRONT, T.plusSeconds(125)));

        assertThat(driver.points()).isNotEmpty();
        assertThat(driver.points()).allSatisfy(p -> assertThat(p.value.atMs() % 60_000).isZero());
        assertThat(driver.points().stream().filter(p -> p.key.contains("\u0000m")).map(p -> p.value.totals().users()))
                .as("minute points grow with the users").isSorted();
    }

    @Test
    void an_experiment_with_other_arms_counts_each_arm() {
        driver.publish(Experiments.pricingDisplayTest().arms(new WeightedVariant("a", 3_334), new WeightedVariant("b", 3_333),
                new WeightedVariant("c", 3_333)).flagState());
        driver.send(exposure("u1", "a", T));
        driver.send(exposure("u2", "b", T));
        driver.send(exposure("u3", "c", T));
        assertThat(driver.totals(Experiments.KEY).variants()).containsOnlyKeys("a", "b", "c");
    }
}
