package io.flagplane.projection.experiments;

import static io.flagplane.projection.experiments.Experiments.LAUNCHED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ValueAggregation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promise behind "a rebuild gives the same results": the same exposures and tracked events,
 * folded in two different interleavings (as Kafka Streams may pick the two topics differently on a
 * rebuild), give identical totals and identical user facts, as long as every record arrives within
 * the grace period of the ones it belongs with.
 */
class OrderIndependenceTest {

    private record Sent(boolean exposure, Object record, Instant arrives) {
    }

    private static List<Sent> records(long seed) {
        Random random = new Random(seed);
        List<Sent> all = new ArrayList<>();
        Instant base = LAUNCHED.plusSeconds(600);
        for (int u = 0; u < 60; u++) {
            String user = "user-" + u;
            String variant = random.nextBoolean() ? "control" : "upfront-fees";
            int exposures = 1 + random.nextInt(3);
            for (int i = 0; i < exposures; i++) {
                String served = random.nextInt(20) == 0 ? (variant.equals("control") ? "upfront-fees" : "control") : variant;
                Instant at = base.plusSeconds(random.nextInt(1_800));
                all.add(new Sent(true, Experiments.exposure(user, served, at), at.plusSeconds(random.nextInt(600))));
            }
            int events = random.nextInt(6);
            for (int i = 0; i < events; i++) {
                Instant at = base.plusSeconds(random.nextInt(1_800));
                boolean revenue = random.nextBoolean();
                all.add(new Sent(false, Experiments.event(user, user + "-e" + i, revenue ? "revenue" : "booking_confirmed",
                        revenue ? Math.round(random.nextDouble() * 10_000) / 100.0 : null, at), at.plusSeconds(random.nextInt(600))));
            }
        }
        return all;
    }

    private static ExperimentDriver fold(List<Sent> records) {
        ExperimentDriver driver = new ExperimentDriver();
        driver.publish(Experiments.pricingDisplayTest()
                .conversion("booking_confirmed", 1)
                .value("revenue", ValueAggregation.SUM, 168)
                .value("revenue", ValueAggregation.MEAN, 168).flagState());
        for (Sent sent : records) {
            if (sent.exposure()) {
                driver.send((io.flagplane.avro.Exposure) sent.record(), sent.arrives());
            } else {
                driver.send((io.flagplane.avro.TrackingEvent) sent.record(), sent.arrives());
            }
        }
        return driver;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void the_same_records_in_two_interleavings_give_identical_totals_and_users(long seed) {
        List<Sent> records = records(seed);
        List<Sent> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(seed * 31));
        List<Sent> byArrival = new ArrayList<>(records);
        byArrival.sort((a, b) -> a.arrives().compareTo(b.arrives()));

        try (ExperimentDriver one = fold(shuffled); ExperimentDriver two = fold(byArrival)) {
            ExperimentTotals a = one.totals(Experiments.KEY);
            ExperimentTotals b = two.totals(Experiments.KEY);
            assertThat(a.users() + a.mixedUsers()).isEqualTo(60);
            assertThat(a).isEqualTo(b);
            assertThat(a.variant("control").conversions()[0] + a.variant("upfront-fees").conversions()[0]).isPositive();
            for (int u = 0; u < 60; u++) {
                assertThat(one.user("user-" + u)).as("user-" + u).isEqualTo(two.user("user-" + u));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {7})
    void totals_equal_the_sum_of_each_users_contribution_counted_alone(long seed) {
        List<Sent> records = records(seed);
        try (ExperimentDriver together = fold(records)) {
            ExperimentTotals sum = ExperimentTotals.empty(Experiments.FLAG);
            ExperimentSpec spec = Experiments.pricingDisplayTest().conversion("booking_confirmed", 1)
                    .value("revenue", ValueAggregation.SUM, 168).value("revenue", ValueAggregation.MEAN, 168).spec();
            for (int u = 0; u < 60; u++) {
                Contribution c = together.user("user-" + u).exposure(Experiments.KEY).counted();
                sum = sum.apply(new UserFold.Delta(Experiments.KEY, Experiments.FLAG, null, c, null), spec);
            }
            ExperimentTotals totals = together.totals(Experiments.KEY);
            assertThat(sum.mixedUsers()).isEqualTo(totals.mixedUsers());
            for (String variant : List.of("control", "upfront-fees")) {
                ExperimentTotals.VariantTotals expected = sum.variant(variant);
                ExperimentTotals.VariantTotals actual = totals.variant(variant);
                assertThat(actual.users()).isEqualTo(expected.users());
                assertThat(actual.conversions()).isEqualTo(expected.conversions());
                assertThat(actual.sums()).isEqualTo(expected.sums());
                assertThat(actual.squaresLow()).isEqualTo(expected.squaresLow());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void a_users_facts_survive_the_store_codec(int seed) {
        try (ExperimentDriver driver = fold(records(seed))) {
            UserFacts facts = driver.user("user-3");
            assertThat(ExperimentCodec.decode(ExperimentCodec.encode(facts))).isEqualTo(facts);
        }
    }

}
