package io.flagplane.projection.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagKind;
import io.flagplane.avro.FlagState;
import io.flagplane.fixtures.Events;
import io.flagplane.fixtures.States;
import io.flagplane.projection.lifecycle.Lifecycle.Status;
import io.flagplane.projection.telemetry.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each lifecycle status on a controlled "now", and the reason it gives. */
class LifecycleTest {

    private static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");
    private static final long DAY = 86_400_000L;

    private static FlagState flag(FlagKind kind, Integer lifetimeDays, Instant lastChange, boolean enabled) {
        FlagDefinition definition = FlagDefinition.newBuilder(Events.booleanFlag("x")).setKind(kind).setLifetimeDays(lifetimeDays)
                .build();
        return FlagState.newBuilder(States.state("production", "checkout.new_ui", 3, definition)).setCreatedAt(CREATED)
                .setEnabled(enabled)
                .setLastChange(new ChangeInfo("e3", "FlagEnabled", lastChange, Events.ALICE, null, null)).build();
    }

    private static FlagState release() {
        return flag(FlagKind.RELEASE, null, CREATED, true);
    }

    private static UsageEntry used(Instant last, Map<Long, Map<String, Long>> days) {
        return new UsageEntry(last.toEpochMilli(), days);
    }

    private static long day(Instant instant) {
        return Math.floorDiv(instant.toEpochMilli(), DAY);
    }

    @Test
    void a_flag_younger_than_7_days_never_evaluated_is_new() {
        Lifecycle.Verdict verdict = Lifecycle.of(release(), null, CREATED.plus(Duration.ofDays(6)));

        assertThat(verdict.status()).isEqualTo(Status.NEW);
        assertThat(verdict.reason()).isEqualTo("created 6 days ago and not evaluated yet");
    }

    @Test
    void a_flag_never_evaluated_in_its_first_7_days_is_inactive() {
        Lifecycle.Verdict verdict = Lifecycle.of(release(), UsageEntry.empty(), CREATED.plus(Duration.ofDays(8)));

        assertThat(verdict.status()).isEqualTo(Status.INACTIVE);
        assertThat(verdict.reason()).isEqualTo("never evaluated in the 8 days since it was created");
    }

    @Test
    void a_flag_not_evaluated_for_7_days_is_inactive() {
        Instant now = CREATED.plus(Duration.ofDays(20));
        Instant last = now.minus(Duration.ofDays(7));
        Lifecycle.Verdict verdict = Lifecycle.of(release(), used(last, Map.of(day(last), Map.of("on", 5L))), now);

        assertThat(verdict.status()).isEqualTo(Status.INACTIVE);
        assertThat(verdict.reason()).startsWith("last evaluated 7 days ago");
    }

    @Test
    void a_flag_evaluated_this_week_with_two_variants_is_active() {
        Instant now = CREATED.plus(Duration.ofDays(20));
        Lifecycle.Verdict verdict = Lifecycle.of(release(), used(now.minusSeconds(60),
                Map.of(day(now), Map.of("on", 5L, "off", 2L))), now);

        assertThat(verdict.status()).isEqualTo(Status.ACTIVE);
        assertThat(verdict.reason()).startsWith("evaluated 7 times in the last 7 days (2 variants)");
    }

    @Test
    void a_flag_on_serving_one_variant_to_everyone_unchanged_for_7_days_is_launched() {
        Instant now = CREATED.plus(Duration.ofDays(20));
        FlagState flag = flag(FlagKind.RELEASE, null, now.minus(Duration.ofDays(9)), true);
        Lifecycle.Verdict verdict = Lifecycle.of(flag, used(now.minusSeconds(60), Map.of(day(now), Map.of("on", 500L),
                day(now) - 3, Map.of("on", 90L), day(now) - 12, Map.of("off", 4L))), now);

        assertThat(verdict.status()).isEqualTo(Status.LAUNCHED);
        assertThat(verdict.reason()).startsWith("on and serving only variant 'on' to everyone for the last 7 days, unchanged for 9 days");
    }

    @Test
    void a_flag_changed_this_week_is_not_launched_yet() {
        Instant now = CREATED.plus(Duration.ofDays(20));
        FlagState flag = flag(FlagKind.RELEASE, null, now.minus(Duration.ofDays(2)), true);

        assertThat(Lifecycle.of(flag, used(now.minusSeconds(60), Map.of(day(now), Map.of("on", 5L))), now).status())
                .isEqualTo(Status.ACTIVE);
    }

    @Test
    void a_disabled_flag_serving_one_variant_is_not_launched() {
        Instant now = CREATED.plus(Duration.ofDays(20));
        FlagState flag = flag(FlagKind.RELEASE, null, now.minus(Duration.ofDays(9)), false);

        assertThat(Lifecycle.of(flag, used(now.minusSeconds(60), Map.of(day(now), Map.of("off", 5L))), now).status())
                .isEqualTo(Status.ACTIVE);
    }

    @ParameterizedTest(name = "{0} with lifetime {1} is stale after {2} days: {3}")
    @CsvSource(nullValues = "-", value = {
        "RELEASE,      -,  41, true",
        "RELEASE,      -,  40, false",
        "EXPERIMENT,   -,  41, true",
        "OPERATIONAL,  -,  8,  true",
        "OPERATIONAL,  -,  7,  false",
        "KILL_SWITCH,  -,  3650, false",
        "PERMISSION,   -,  3650, false",
        "KILL_SWITCH,  30, 31, true",
        "RELEASE,      90, 60, false",
    })
    void a_flag_past_its_kinds_lifetime_is_potentially_stale(FlagKind kind, Integer lifetimeDays, int ageDays, boolean stale) {
        Instant now = CREATED.plus(Duration.ofDays(ageDays));
        Lifecycle.Verdict verdict = Lifecycle.of(flag(kind, lifetimeDays, CREATED, true), used(now.minusSeconds(5),
                Map.of(day(now), Map.of("on", 1L, "off", 1L))), now);

        assertThat(verdict.status() == Status.STALE).isEqualTo(stale);
    }

    @Test
    void the_stale_reason_says_the_kind_the_age_and_the_lifetime() {
        Lifecycle.Verdict verdict = Lifecycle.of(release(), null, CREATED.plus(Duration.ofDays(41)));

        assertThat(verdict.reason()).startsWith("release flag created 41 days ago; release flags are expected to live 40 days");
        assertThat(Lifecycle.of(flag(FlagKind.OPERATIONAL, 3, CREATED, true), null, CREATED.plus(Duration.ofDays(5))).reason())
                .startsWith("operational flag created 5 days ago; its lifetime is set to 3 days");
    }
}
