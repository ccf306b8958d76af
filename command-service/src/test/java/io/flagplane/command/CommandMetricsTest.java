package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.http.Actions;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.WriteModel;
import io.flagplane.command.log.WriterListener.Outcome;
import io.flagplane.contract.FlagRef;
import io.flagplane.fixtures.Events;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metrics class on its own: what the writer reports comes out of a scrape, in the text format. */
class CommandMetricsTest {

    private static final FlagRef FLAG = new FlagRef("production", "checkout.new_ui");

    private final WriteModel model = new WriteModel(Duration.ofHours(48));
    private final CommandMetrics metrics = new CommandMetrics(model);

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void answered_commands_are_counted_by_action_and_outcome_and_refusals_by_code() throws IOException {
        metrics.answered(new Command.Kill(FLAG, 1L), Outcome.COMMITTED);
        metrics.answered(new Command.Kill(FLAG, 1L), Outcome.REFUSED);
        metrics.refused(ErrorCode.VERSION_CONFLICT);
        metrics.answered(new Command.Kill(FLAG, null), Outcome.UNCHANGED);
        metrics.answered(new Command.CreateFlag(FLAG, Events.booleanFlag("checkout.new_ui"), true), Outcome.REPLAYED);
        metrics.answered(new Command.ChangeTargets(FLAG, io.flagplane.avro.TargetList.DENY, null, List.of("u1"), List.of(),
                null), Outcome.FAILED);

        String text = scrape();

        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"committed\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"refused\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"unchanged\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"replayed\"} 0.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"createFlag\",outcome=\"replayed\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"denyList\",outcome=\"failed\"} 1.0\n");
        assertThat(text).contains("flagplane_command_refusals_total{code=\"VERSION_CONFLICT\"} 1.0\n");
        assertThat(text).doesNotContain("code=\"FLAG_NOT_FOUND\"");
    }

    @Test
    void plan_steps_rollbacks_by_trigger_breaches_and_the_controllers_failures_are_counted() throws IOException {
        io.flagplane.contract.PlanRef plan = new io.flagplane.contract.PlanRef("production", "ramp");
        metrics.answered(new Command.StartPlan(plan, 1L, 1), Outcome.COMMITTED);
        metrics.answered(new Command.AdvancePlan(plan, 0, 3L, 1), Outcome.COMMITTED);
        metrics.answered(new Command.AdvancePlan(plan, 0, 3L, 1), Outcome.REFUSED);
        metrics.answered(new Command.RollBackPlan(plan, null, "error-rate", "breach", 5L, 1), Outcome.COMMITTED);
        metrics.answered(new Command.RollBackPlan(plan, null, null, "by hand", 5L, 1), Outcome.COMMITTED);
        metrics.answered(new Command.RollBackPlan(plan, null, null, "by hand", 5L, 1), Outcome.COMMITTED);
        metrics.breach(io.flagplane.avro.BreachAction.PAUSE);
        metrics.tickFailed();
        metrics.controllerRefused("advance", ErrorCode.INVALID_FIELD);

        String text = scrape();

        assertThat(text).contains("flagplane_plan_steps_started_total 2.0\n");
        assertThat(text).contains("flagplane_plan_rollbacks_total{trigger=\"guardrail\"} 1.0\n");
        assertThat(text).contains("flagplane_plan_rollbacks_total{trigger=\"manual\"} 2.0\n");
        assertThat(text).contains("flagplane_plan_breaches_total{action=\"pause\"} 1.0\n");
        assertThat(text).contains("flagplane_release_controller_tick_failures_total 1.0\n");
        assertThat(text).contains("flagplane_release_controller_refusals_total{action=\"advance\",code=\"INVALID_FIELD\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"advancePlan\",outcome=\"refused\"} 1.0\n");
        assertThat(text).contains("flagplane_plans{status=\"running\"} 0.0\n");
    }

    @Test
    void every_action_and_outcome_is_exported_from_the_start_at_zero() throws IOException {
        String text = scrape();

        for (Command.Kind kind : Command.Kind.values()) {
            for (Outcome outcome : Outcome.values()) {
                assertThat(text).contains("flagplane_commands_total{action=\"" + kind.action() + "\",outcome=\""
                        + outcome.name().toLowerCase(java.util.Locale.ROOT) + "\"} 0.0\n");
            }
        }
    }

    @Test
    void every_action_a_change_set_takes_is_a_command_kind_under_the_same_name() {
        List<String> kinds = Arrays.stream(Command.Kind.values()).map(Command.Kind::action).toList();

        assertThat(kinds).containsAll(Actions.names());
        assertThat(kinds).doesNotHaveDuplicates();
    }

    @Test
    void a_commit_feeds_the_latency_and_batch_size_histograms() throws IOException {
        metrics.committed(3, 5, 4_000_000);   // 4 ms
        metrics.committed(1, 1, 300_000);     // 0.3 ms

        String text = scrape();

        assertThat(text).contains("flagplane_commit_seconds_bucket{le=\"0.001\"} 1\n");
        assertThat(text).contains("flagplane_commit_seconds_bucket{le=\"0.005\"} 2\n");
        assertThat(text).contains("flagplane_commit_seconds_bucket{le=\"1.0\"} 2\n");
        assertThat(text).contains("flagplane_commit_seconds_count 2\n");
        assertThat(text).contains("flagplane_commit_seconds_sum 0.0043\n");
        assertThat(text).contains("flagplane_batch_commands_bucket{le=\"2.0\"} 1\n");
        assertThat(text).contains("flagplane_batch_commands_sum 4.0\n");
        assertThat(text).contains("flagplane_batch_events_bucket{le=\"5.0\"} 2\n");
        assertThat(text).contains("flagplane_batch_events_sum 6.0\n");
    }

    @Test
    void the_writer_state_queue_and_write_model_are_read_at_scrape_time() throws IOException {
        try (CommandProcessor processor = new CommandProcessor(new CommandProcessor.Settings("127.0.0.1:1", "flag-events",
                "metrics-test", Duration.ofSeconds(1), 10), null, model, Clock.systemUTC(), metrics)) {
            metrics.watch(processor);   // never started, never elected: a standby

            String text = scrape();

            assertThat(text).contains("flagplane_writer_state{state=\"standby\"} 1.0\n");
            assertThat(text).contains("flagplane_writer_state{state=\"starting\"} 0.0\n");
            assertThat(text).contains("flagplane_writer_state{state=\"active\"} 0.0\n");
            assertThat(text).contains("flagplane_writer_state{state=\"recovering\"} 0.0\n");
            assertThat(text).contains("flagplane_writer_state{state=\"fenced\"} 0.0\n");
            assertThat(text).contains("flagplane_command_queue_depth 0.0\n");
            assertThat(text).contains("flagplane_events_written_total 0.0\n");
            assertThat(text).contains("flagplane_transactions_total 0.0\n");
            assertThat(text).contains("flagplane_write_model_flags 0.0\n");
            assertThat(text).contains("flagplane_write_model_segments 0.0\n");
            assertThat(text).contains("flagplane_write_model_environments 0.0\n");
            assertThat(text).contains("flagplane_idempotency_keys 0.0\n");
        }
    }

    @Test
    void each_instance_has_a_registry_of_its_own() throws IOException {
        CommandMetrics other = new CommandMetrics(new WriteModel(Duration.ofHours(48)));
        other.answered(new Command.Kill(FLAG, null), Outcome.COMMITTED);

        assertThat(scrape()).contains("flagplane_commands_total{action=\"kill\",outcome=\"committed\"} 0.0\n");
        assertThat(metrics.contentType()).startsWith("text/plain");
    }
}
