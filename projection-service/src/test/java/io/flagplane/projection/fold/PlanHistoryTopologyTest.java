package io.flagplane.projection.fold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ChangeRequestContent;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeApplied;
import io.flagplane.avro.ScheduledChangeCreated;
import io.flagplane.contract.RecordKeys;
import io.flagplane.fixtures.Events;
import io.flagplane.projection.guardrails.Plans;
import io.flagplane.projection.history.HistoryCodec;
import io.flagplane.projection.history.HistoryReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rollout plans and scheduled changes in the flag fold: folded or recognised, never rejected as
 * unknown flag events or dead-lettered; kept in history and the audit log with a sentence each.
 */
class PlanHistoryTopologyTest {

    private static final String PLAN_KEY = RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN);
    private static final String SCHEDULE_KEY = RecordKeys.ofScheduleEvents(Plans.ENV, "s-42");

    private final ProjectionDriver projection = new ProjectionDriver("plan-history-test");
    private final HistoryReader reader = new HistoryReader(
            projection.driver.<String, byte[]>getKeyValueStore(FlagProjectionTopology.HISTORY_STORE), projection.registry);

    @AfterEach
    void tearDown() {
        projection.close();
    }

    private void plan(List<FlagEvent> events) {
        events.forEach(e -> projection.send(PLAN_KEY, e));
    }

    private RolloutPlanState stored() {
        KeyValueStore<String, RolloutPlanState> plans = projection.driver.getKeyValueStore(FlagProjectionTopology.PLAN_STORE);
        return plans.get(PLAN_KEY);
    }

    private long audited(String recordKey) {
        long n = 0;
        try (KeyValueIterator<String, byte[]> all = projection.driver.<String, byte[]>getKeyValueStore(FlagProjectionTopology.AUDIT_STORE)
                .all()) {
            while (all.hasNext()) {
                n += HistoryCodec.parseAuditKey(all.next().key).recordKey().equals(recordKey) ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void plan_events_are_folded_into_the_plans_state_recorded_once_and_never_dead_lettered() {
        List<FlagEvent> events = Plans.seed001().runningAtBeta();
        plan(events);
        plan(events);   // redelivered

        RolloutPlanState state = stored();
        assertThat(state.getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(state.getCurrentStep()).isEqualTo(1);
        assertThat(projection.metrics.applied()).isEqualTo(4);
        assertThat(projection.metrics.stale()).isEqualTo(4);
        assertThat(projection.metrics.rejected()).isZero();
        assertThat(projection.deadLetters.isEmpty()).isTrue();
        assertThat(projection.flagStates.isEmpty()).as("a plan is not a flag").isTrue();
        assertThat(audited(PLAN_KEY)).isEqualTo(4);
        assertThat(reader.stateAt(PLAN_KEY, 4)).isEqualTo(state);
    }

    @Test
    void a_plans_history_names_its_steps_and_its_rollback_reason_in_words() {
        plan(Plans.seed001().runningAtBeta());
        projection.send(PLAN_KEY, Plans.rolledBack(5, Plans.STEP_STARTED.plusSeconds(600),
                "http_error rate 7.2 % > 5 % over 10 min on variant on"));

        List<HistoryReader.Entry> entries = reader.page(PLAN_KEY, Long.MAX_VALUE, 10, null, null).entries();

        assertThat(entries).extracting(HistoryReader.Entry::summary).containsExactly(
                "plan seed-001-rollout rolled back at step beta (restore) on guardrail error-rate: "
                        + "http_error rate 7.2 % > 5 % over 10 min on variant on",
                "plan seed-001-rollout: step beta started (2 of 4)",
                "plan seed-001-rollout: step internal started (1 of 4)",
                "plan seed-001-rollout started",
                "plan seed-001-rollout created: 4 steps (internal, beta, expanded, general) on flag checkout.new_ui");
        JsonNode rollback = entries.get(0).diff();
        assertThat(rollback).extracting(d -> d.get("field").asText()).contains("status", "statusReason");
        assertThat(stored().getStatus()).isEqualTo(PlanStatus.ROLLED_BACK);
    }

    @Test
    void a_plan_event_under_another_key_is_rejected_not_folded() {
        projection.send(RecordKeys.of(Plans.ENV, Plans.PLAN), Plans.seed001().runningAtBeta().get(0));

        assertThat(stored()).isNull();
        assertThat(projection.metrics.rejected()).isEqualTo(1);
        assertThat(audited(RecordKeys.of(Plans.ENV, Plans.PLAN))).isZero();
    }

    @Test
    void scheduled_change_events_are_recognised_and_kept_in_history_with_their_summary() {
        Events.Builder schedule = Events.on(Plans.ENV, "s-42");
        projection.send(SCHEDULE_KEY, schedule.version(1).with(new ScheduledChangeCreated(new ChangeRequestContent("Friday kill",
                "seed 004: off for the weekend", "[{\"action\":\"kill\",\"flagKey\":\"checkout.new_ui\"}]", Map.of()),
                Instant.parse("2026-05-08T18:00:00Z"), false)));
        projection.send(SCHEDULE_KEY, schedule.version(2).with(new ScheduledChangeApplied("cs-9")));

        assertThat(projection.metrics.rejected()).isZero();
        assertThat(projection.deadLetters.isEmpty()).isTrue();
        assertThat(reader.page(SCHEDULE_KEY, Long.MAX_VALUE, 10, null, null).entries()).extracting(HistoryReader.Entry::summary)
                .containsExactly("scheduled change s-42 applied in change set cs-9",
                        "scheduled change s-42 'Friday kill' set for 2026-05-08T18:00:00Z");
        assertThat(HistoryReader.json(reader.stateAt(SCHEDULE_KEY, 2)).get("status").asText()).isEqualTo("APPLIED");
    }

    @Test
    void a_flag_put_under_a_plan_is_a_flag_event_and_says_so() {
        Events.Builder flag = Events.on(Plans.ENV, Plans.FLAG);
        projection.send(flag.version(1).createdBoolean(true));
        projection.send(flag.version(2).with(new FlagPlanSet(Plans.PLAN)));

        List<FlagState> states = projection.flagStates.readValuesToList();
        assertThat(states.get(1).getPlan()).isEqualTo(Plans.PLAN);
        assertThat(reader.page(RecordKeys.of(Plans.ENV, Plans.FLAG), Long.MAX_VALUE, 1, null, null).entries().get(0).summary())
                .isEqualTo("flag checkout.new_ui is measured by plan seed-001-rollout (its evaluations are logged as exposures)");
    }
}
