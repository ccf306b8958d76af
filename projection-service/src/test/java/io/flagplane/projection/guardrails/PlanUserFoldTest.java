package io.flagplane.projection.guardrails;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.projection.guardrails.Cell.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The per-user fold: what a user adds to a plan's cells, and what it takes out again when they move. */
class PlanUserFoldTest {

    private static final String PLAN = "production/plan:seed-001-rollout";
    private final PlanUserFold fold = new PlanUserFold();

    /** The net effect of the deltas, per (field, variant, instant, event key). */
    private static Map<String, Long> net(List<PlanUserFold.Delta> deltas) {
        Map<String, Long> out = new TreeMap<>();
        for (PlanUserFold.Delta d : deltas) {
            out.merge(d.field() + " " + d.variant() + " @" + d.atMs() + (d.eventKey() == null ? "" : " " + d.eventKey()), d.by(),
                    Long::sum);
        }
        out.values().removeIf(v -> v == 0);
        return out;
    }

    private List<PlanUserFold.Delta> apply(List<Object[]> records) {
        PlanUserFacts facts = PlanUserFacts.EMPTY;
        List<PlanUserFold.Delta> all = new ArrayList<>();
        for (Object[] r : records) {
            PlanUserFold.Result result = r[0].equals("x") ? fold.expose(facts, PLAN, (String) r[1], (long) r[2])
                    : fold.track(facts, (String) r[1], (long) r[2]);
            facts = result.facts();
            all.addAll(result.deltas());
        }
        return all;
    }

    @Test
    void a_user_moved_to_another_variant_counts_once_where_their_latest_exposure_is_whatever_the_arrival_order() {
        List<Object[]> inOrder = List.of(new Object[] {"x", "off", 1_000L}, new Object[] {"x", "on", 5_000L});
        List<Object[]> reversed = List.of(new Object[] {"x", "on", 5_000L}, new Object[] {"x", "off", 1_000L});

        Map<String, Long> a = net(apply(inOrder));
        Map<String, Long> b = net(apply(reversed));

        assertThat(a).isEqualTo(b);
        assertThat(a).containsEntry("EXPOSED on @5000", 1L).containsEntry("FIRST_EXPOSED off @1000", 1L)
                .doesNotContainKey("EXPOSED off @1000");
    }

    @Test
    void an_event_is_counted_on_the_variant_of_the_latest_exposure_at_or_before_it_and_the_user_once_per_key() {
        List<PlanUserFold.Delta> deltas = apply(List.of(new Object[] {"x", "off", 1_000L}, new Object[] {"x", "on", 5_000L},
                new Object[] {"t", "http_error", 3_000L}, new Object[] {"t", "http_error", 6_000L},
                new Object[] {"t", "http_error", 7_000L}));

        Map<String, Long> n = net(deltas);

        assertThat(n).containsEntry("EVENTS off @3000 http_error", 1L).containsEntry("EVENTS on @6000 http_error", 1L)
                .containsEntry("EVENTS on @7000 http_error", 1L);
        assertThat(n).containsEntry("USERS on @7000 http_error", 1L).doesNotContainKey("USERS on @6000 http_error")
                .containsEntry("USERS off @3000 http_error", 1L);
        assertThat(n).containsEntry("ACTIVE on @7000", 1L).containsEntry("ACTIVE off @3000", 1L);
    }

    @Test
    void an_event_before_the_users_first_exposure_is_not_attributed() {
        PlanUserFacts facts = fold.expose(PlanUserFacts.EMPTY, PLAN, "on", 5_000L).facts();

        PlanUserFold.Result result = fold.track(facts, "http_error", 4_000L);

        assertThat(result.attributed()).isZero();
        assertThat(result.deltas()).isEmpty();
        assertThat(result.facts()).isSameAs(facts);
    }

    @Test
    void a_repeated_exposure_changes_nothing() {
        PlanUserFacts facts = fold.expose(PlanUserFacts.EMPTY, PLAN, "on", 5_000L).facts();

        PlanUserFold.Result again = fold.expose(facts, PLAN, "on", 5_000L);

        assertThat(again.deltas()).isEmpty();
        assertThat(again.facts()).isSameAs(facts);
    }

    @Test
    void a_ninth_plan_lets_the_least_recently_seen_go_and_takes_its_user_out_of_that_plans_cells() {
        PlanUserFacts facts = PlanUserFacts.EMPTY;
        for (int p = 0; p < PlanUserFold.MAX_PLANS; p++) {
            facts = fold.expose(facts, "production/plan:p" + p, "on", 1_000L + p).facts();
        }

        PlanUserFold.Result result = fold.expose(facts, "production/plan:p-new", "on", 9_000L);

        assertThat(result.facts().plans()).hasSize(PlanUserFold.MAX_PLANS);
        assertThat(result.facts().plan("production/plan:p0")).isNull();
        assertThat(result.dropped()).isEqualTo(1);
        assertThat(result.deltas()).filteredOn(d -> d.planKey().equals("production/plan:p0"))
                .extracting(PlanUserFold.Delta::field, PlanUserFold.Delta::by)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Field.FIRST_EXPOSED, -1L),
                        org.assertj.core.groups.Tuple.tuple(Field.EXPOSED, -1L), org.assertj.core.groups.Tuple.tuple(Field.ACTIVE, -1L));
    }

    @Test
    void events_held_before_a_users_first_exposure_count_from_it_on_and_the_rest_are_let_go() {
        PlanUserFacts held = fold.hold(PlanUserFacts.EMPTY, "request", 6_000L, 100L).facts();
        held = fold.hold(held, "request", 4_000L, 101L).facts();

        PlanUserFold.Result exposed = fold.expose(held, PLAN, "on", 5_000L);

        assertThat(exposed.facts().pending()).isEmpty();
        assertThat(exposed.attributed()).isEqualTo(1);
        assertThat(exposed.unattributed()).isEqualTo(1);
        assertThat(net(exposed.deltas())).containsEntry("EVENTS on @6000 request", 1L).doesNotContainKey("EVENTS on @4000 request");
    }

    @Test
    void held_events_are_bounded_and_expire() {
        PlanUserFacts held = PlanUserFacts.EMPTY;
        int dropped = 0;
        for (int i = 0; i < PlanUserFold.MAX_PENDING + 3; i++) {
            PlanUserFold.Result r = fold.hold(held, "request", i, i);
            held = r.facts();
            dropped += r.dropped();
        }

        assertThat(held.pending()).hasSize(PlanUserFold.MAX_PENDING);
        assertThat(dropped).isEqualTo(3);
        assertThat(fold.forgetBefore(held, 0, 1_000L).isEmpty()).isTrue();
    }
}
