package io.flagplane.projection.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagKind;
import io.flagplane.avro.FlagNotice;
import io.flagplane.fixtures.Events;
import io.flagplane.projection.telemetry.TelemetryDriver;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A flag that becomes potentially stale is announced on flag-notices once, on a clock the test moves. */
class StaleNoticesTest {

    private final TelemetryDriver t = new TelemetryDriver();

    @AfterEach
    void close() {
        t.close();
    }

    private void create(String key, FlagKind kind, Integer lifetimeDays) {
        FlagDefinition definition = FlagDefinition.newBuilder(Events.booleanFlag(key)).setKind(kind).setLifetimeDays(lifetimeDays)
                .build();
        t.send(Events.on("production", key).version(1).at(t.clock.instant()).created(definition, true));
    }

    @Test
    void a_flag_past_its_lifetime_is_announced_once_however_often_it_is_checked() {
        create("checkout.new_ui", FlagKind.RELEASE, null);
        t.advance(Duration.ofDays(39));
        assertThat(t.notices.isEmpty()).isTrue();

        t.advance(Duration.ofDays(2));
        List<FlagNotice> notices = t.notices.readValuesToList();
        assertThat(notices).singleElement().satisfies(n -> {
            assertThat(n.getEnvironment()).isEqualTo("production");
            assertThat(n.getFlagKey()).isEqualTo("checkout.new_ui");
            assertThat(n.getType()).isEqualTo("FlagPotentiallyStale");
            assertThat(n.getNoticeId()).isEqualTo("production/checkout.new_ui/FlagPotentiallyStale/1");
            assertThat(n.getReason()).startsWith("release flag created 41 days ago; release flags are expected to live 40 days");
        });

        for (int i = 0; i < 5; i++) {
            t.advance(Duration.ofMinutes(2));
        }
        t.send(Events.on("production", "checkout.new_ui").version(2).at(t.clock.instant()).disabled());
        assertThat(t.notices.isEmpty()).as("re-checks and later changes announce nothing more").isTrue();
        assertThat(t.driver.<String, String>getKeyValueStore(StaleNotices.STORE).get("production/checkout.new_ui"))
                .as("the fact lives in a changelogged store").isEqualTo("production/checkout.new_ui/FlagPotentiallyStale/1");
    }

    @Test
    void a_kill_switch_is_never_announced_and_an_operational_flag_after_7_days() {
        create("ops.kill_search", FlagKind.KILL_SWITCH, null);
        create("ops.cache_size", FlagKind.OPERATIONAL, null);

        t.advance(Duration.ofDays(400));

        assertThat(t.notices.readValuesToList()).extracting(FlagNotice::getFlagKey).containsExactly("ops.cache_size");
    }

    @Test
    void a_flag_that_stops_being_stale_is_announced_again_when_it_becomes_stale_again() {
        create("checkout.new_ui", FlagKind.OPERATIONAL, null);
        t.advance(Duration.ofDays(8));
        assertThat(t.notices.readValuesToList()).hasSize(1);

        FlagDefinition longer = FlagDefinition.newBuilder(Events.booleanFlag("checkout.new_ui")).setKind(FlagKind.OPERATIONAL)
                .setLifetimeDays(30).build();
        t.send(Events.on("production", "checkout.new_ui").version(2).at(t.clock.instant())
                .with(new io.flagplane.avro.DefinitionReplaced(longer)));
        t.advance(Duration.ofDays(10));
        assertThat(t.notices.isEmpty()).isTrue();

        t.advance(Duration.ofDays(13));
        assertThat(t.notices.readValuesToList()).singleElement()
                .satisfies(n -> assertThat(n.getNoticeId()).endsWith("/2"));
    }

    @Test
    void an_archived_flag_is_not_announced() {
        create("checkout.new_ui", FlagKind.RELEASE, null);
        t.send(Events.on("production", "checkout.new_ui").version(2).at(t.clock.instant()).archived());

        t.advance(Duration.ofDays(60));

        assertThat(t.notices.isEmpty()).isTrue();
    }
}
