package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesetStoreTest {

    private final RulesetStore store = new RulesetStore();
    private static final FlagRef PROD_A = new FlagRef("production", "a.flag");

    private static Flag flag(String key, long version, boolean enabled) {
        return Flag.builder(key, FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                .fallthrough("on").enabled(enabled).version(version).build();
    }

    @Test
    void a_newer_version_replaces_the_flag() {
        store.apply(List.of(new RulesetStore.Update(PROD_A, flag("a.flag", 1, true))));
        store.apply(List.of(new RulesetStore.Update(PROD_A, flag("a.flag", 2, false))));

        assertThat(store.current().flag("production", "a.flag").version()).isEqualTo(2);
        assertThat(store.current().flag("production", "a.flag").enabled()).isFalse();
    }

    @Test
    void an_older_or_equal_version_never_moves_the_flag_backwards() {
        store.apply(List.of(new RulesetStore.Update(PROD_A, flag("a.flag", 5, false))));

        List<FlagRef> changed = store.apply(List.of(
                new RulesetStore.Update(PROD_A, flag("a.flag", 4, true)),
                new RulesetStore.Update(PROD_A, flag("a.flag", 5, true))));

        assertThat(changed).isEmpty();
        assertThat(store.current().flag("production", "a.flag").enabled()).isFalse();
    }

    @Test
    void within_one_batch_the_highest_version_wins_whatever_the_order() {
        store.apply(List.of(
                new RulesetStore.Update(PROD_A, flag("a.flag", 3, true)),
                new RulesetStore.Update(PROD_A, flag("a.flag", 2, false))));

        assertThat(store.current().flag("production", "a.flag").version()).isEqualTo(3);
    }

    @Test
    void environments_are_kept_apart() {
        store.apply(List.of(
                new RulesetStore.Update(PROD_A, flag("a.flag", 1, true)),
                new RulesetStore.Update(new FlagRef("staging", "a.flag"), flag("a.flag", 7, false))));

        assertThat(store.current().flag("production", "a.flag").version()).isEqualTo(1);
        assertThat(store.current().flag("staging", "a.flag").version()).isEqualTo(7);
        assertThat(store.current().view("qa").flag("a.flag")).isNull();
        assertThat(store.current().size()).isEqualTo(2);
    }

    @Test
    void a_tombstone_removes_the_flag() {
        store.apply(List.of(new RulesetStore.Update(PROD_A, flag("a.flag", 1, true))));
        store.apply(List.of(new RulesetStore.Update(PROD_A, null)));

        assertThat(store.current().flag("production", "a.flag")).isNull();
        assertThat(store.current().environments()).isEmpty();
    }

    @Test
    void readers_keep_the_snapshot_they_took_and_listeners_hear_each_change_once() {
        List<List<FlagRef>> heard = new ArrayList<>();
        store.onChange(heard::add);
        store.apply(List.of(new RulesetStore.Update(PROD_A, flag("a.flag", 1, true))));
        Ruleset before = store.current();

        store.apply(List.of(new RulesetStore.Update(PROD_A, flag("a.flag", 2, false)),
                new RulesetStore.Update(PROD_A, flag("a.flag", 3, true))));

        assertThat(before.flag("production", "a.flag").version()).isEqualTo(1);
        assertThat(store.current().generation()).isGreaterThan(before.generation());
        assertThat(heard).containsExactly(List.of(PROD_A), List.of(PROD_A));
    }
}
