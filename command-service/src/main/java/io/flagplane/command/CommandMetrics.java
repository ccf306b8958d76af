package io.flagplane.command;

import io.flagplane.avro.BreachAction;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.WriteModel;
import io.flagplane.command.log.WriterListener;
import io.flagplane.command.release.ExperimentScheduler;
import io.flagplane.command.release.ScheduledChangeScheduler;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.command.release.ReleaseController;
import io.flagplane.contract.PlanRef;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * The command-service's Prometheus metrics, in a registry of its own (several services can share
 * a JVM): commands by action and outcome, refusals by error code, the commit latency and size of
 * each group commit, events and transactions written, the writer's state, its queue and the size
 * of the write model; rollout plans by status, plan steps started, rollbacks (by trigger), the
 * guardrail breaches the release controller acted on, and its failed ticks and refused actions.
 *
 * <p>Commands are labelled with the API's action names ({@link Command.Kind#action()}: {@code kill},
 * {@code createFlag}, …, {@code createEnvironment}) and counted per command: a change set of three
 * commands counts three, each with its request's outcome (a command of a committed change set
 * that changed nothing is {@code unchanged}). Refusals count requests. Requests turned away before
 * they reach the writer (authentication, parsing, shape checks) are not commands yet and are not
 * counted here.
 *
 * <p>The writer thread reports into this class, so recording allocates nothing: every
 * (action, outcome) counter is resolved when the class is built, histograms keep classic buckets
 * only, and exemplars are off. Gauges are callbacks read at scrape time.
 */
public final class CommandMetrics implements WriterListener, ExperimentScheduler.Listener, ScheduledChangeScheduler.Listener,
        ReleaseController.Listener {

    private static final Command.Kind[] KINDS = Command.Kind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final CommandProcessor.State[] STATES = CommandProcessor.State.values();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** By {@code kind.ordinal() * OUTCOMES.length + outcome.ordinal()}. */
    private final CounterDataPoint[] commands = new CounterDataPoint[KINDS.length * OUTCOMES.length];
    private final Counter refusals;
    private final Counter scheduleRefusals;
    private final Counter scheduledChangesApplied;
    private final Counter scheduledChangesFailed;
    private final Histogram commitSeconds;
    private final Histogram batchCommands;
    private final Histogram batchEvents;
    private final CounterDataPoint stepsStarted;
    private final CounterDataPoint guardrailRollbacks;
    private final CounterDataPoint manualRollbacks;
    private final Counter breaches;
    private final Counter controllerTickFailures;
    private final Counter controllerRefusals;

    public CommandMetrics(WriteModel model) {
        Counter commandCounter = Counter.builder().name("flagplane_commands_total")
                .help("Commands the writer answered, by action and outcome (committed, unchanged, refused, replayed, failed);"
                        + " a change set counts each of its commands")
                .labelNames("action", "outcome").withoutExemplars().register(registry);
        for (Command.Kind kind : KINDS) {
            for (Outcome outcome : OUTCOMES) {
                commands[kind.ordinal() * OUTCOMES.length + outcome.ordinal()] =
                        commandCounter.labelValues(kind.action(), label(outcome));
            }
        }
        refusals = Counter.builder().name("flagplane_command_refusals_total")
                .help("Requests the writer refused, by error code (nothing was written)")
                .labelNames("code").withoutExemplars().register(registry);
        scheduleRefusals = Counter.builder().name("flagplane_experiment_schedule_refusals_total")
                .help("Scheduled experiment launches and stops that were due but refused for good (left, not retried), by"
                        + " action and error code")
                .labelNames("action", "code").withoutExemplars().register(registry);
        scheduledChangesApplied = Counter.builder().name("flagplane_scheduled_changes_applied_total")
                .help("Scheduled changes this instance applied when they were due (as the release controller)")
                .withoutExemplars().register(registry);
        scheduledChangesFailed = Counter.builder().name("flagplane_scheduled_changes_failed_total")
                .help("Scheduled changes that were due but not applied, recorded as failed (ScheduledChangeFailed), by the"
                        + " refusal's error code (MOVED_SINCE_SCHEDULED: something they touch moved since they were scheduled)")
                .labelNames("code").withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("flagplane_scheduled_changes_pending")
                .help("Scheduled changes waiting for their instant (PENDING), over all environments")
                .callback(cb -> cb.call(pendingScheduledChanges(model))).register(registry);
        GaugeWithCallback.builder().name("flagplane_write_model_experiments")
                .help("Experiments in the write model, over all environments, stopped ones and those on archived flags included")
                .callback(cb -> cb.call(model.experimentCount())).register(registry);
        commitSeconds = Histogram.builder().name("flagplane_commit_seconds")
                .help("Group commits: from beginning the Kafka transaction to the commit confirmed")
                .unit(Unit.SECONDS).classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
                .withoutExemplars().register(registry);
        batchCommands = Histogram.builder().name("flagplane_batch_commands")
                .help("Commands decided into one group commit (unchanged ones included)")
                .classicOnly().classicUpperBounds(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)
                .withoutExemplars().register(registry);
        batchEvents = Histogram.builder().name("flagplane_batch_events")
                .help("Events written in one group commit")
                .classicOnly().classicUpperBounds(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)
                .withoutExemplars().register(registry);
        stepsStarted = Counter.builder().name("flagplane_plan_steps_started_total")
                .help("Rollout-plan steps started (a plan's start is its first step), by a person or the release controller")
                .withoutExemplars().register(registry).labelValues();
        Counter rollbacks = Counter.builder().name("flagplane_plan_rollbacks_total")
                .help("Rollout plans rolled back, by trigger: guardrail (a breach, by the release controller) or manual")
                .labelNames("trigger").withoutExemplars().register(registry);
        guardrailRollbacks = rollbacks.labelValues("guardrail");
        manualRollbacks = rollbacks.labelValues("manual");
        breaches = Counter.builder().name("flagplane_plan_breaches_total")
                .help("Guardrail breaches the release controller acted on (once per verdict), by what it did: rollback, pause, hold")
                .labelNames("action").withoutExemplars().register(registry);
        controllerTickFailures = Counter.builder().name("flagplane_release_controller_tick_failures_total")
                .help("Release-controller ticks that failed (logged; the next tick runs as usual)")
                .withoutExemplars().register(registry);
        controllerRefusals = Counter.builder().name("flagplane_release_controller_refusals_total")
                .help("Release-controller actions the writer refused for good, by action and error code (each is made visible"
                        + " on its plan: paused, killed instead of restored, or unscheduled)")
                .labelNames("action", "code").withoutExemplars().register(registry);
        String[] planStatuses = new String[PlanStatus.values().length];
        for (PlanStatus status : PlanStatus.values()) {
            planStatuses[status.ordinal()] = status.name().toLowerCase(Locale.ROOT);
        }
        GaugeWithCallback.builder().name("flagplane_plans")
                .help("Rollout plans in the write model, over all environments, by status")
                .labelNames("status").callback(cb -> {
                    long[] counts = new long[planStatuses.length];
                    for (EnvironmentState environment : model.environments()) {
                        for (Object plan : model.all(PlanRef.class, environment.getName())) {
                            counts[((RolloutPlanState) plan).getStatus().ordinal()]++;
                        }
                    }
                    for (int i = 0; i < counts.length; i++) {
                        cb.call(counts[i], planStatuses[i]);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("flagplane_write_model_flags")
                .help("Flags in the write model, over all environments, archived ones included")
                .callback(cb -> cb.call(model.flagCount())).register(registry);
        GaugeWithCallback.builder().name("flagplane_write_model_segments")
                .help("Segments in the write model, over all environments, archived ones included")
                .callback(cb -> cb.call(model.segmentCount())).register(registry);
        GaugeWithCallback.builder().name("flagplane_write_model_environments")
                .help("Declared environments, archived ones included")
                .callback(cb -> cb.call(model.environmentCount())).register(registry);
        GaugeWithCallback.builder().name("flagplane_idempotency_keys")
                .help("Idempotency-Keys whose first answers are remembered")
                .callback(cb -> cb.call(model.rememberedKeys())).register(registry);
    }

    /**
     * Adds the metrics read from the writer itself: its state, its queue, events and transactions
     * written. Once, after the processor is built with this class as its listener.
     */
    public CommandMetrics watch(CommandProcessor processor) {
        String[] stateLabels = new String[STATES.length];
        for (CommandProcessor.State state : STATES) {
            stateLabels[state.ordinal()] = state.name().toLowerCase(Locale.ROOT);
        }
        GaugeWithCallback.builder().name("flagplane_writer_state")
                .help("1 for the writer's current state: standby (another instance writes), starting (elected, reading the log), active, recovering (re-reads the log"
                        + " before its next write, after a write whose outcome was unknown), fenced (replaced by a newer"
                        + " instance)")
                .labelNames("state").callback(cb -> {
                    CommandProcessor.State now = processor.state();
                    for (CommandProcessor.State state : STATES) {
                        cb.call(state == now ? 1 : 0, stateLabels[state.ordinal()]);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("flagplane_command_queue_depth")
                .help("Requests waiting for the writer")
                .callback(cb -> cb.call(processor.queueDepth())).register(registry);
        CounterWithCallback.builder().name("flagplane_events_written_total")
                .help("Events this instance committed to flag-events")
                .callback(cb -> cb.call(processor.eventsWritten())).register(registry);
        CounterWithCallback.builder().name("flagplane_transactions_total")
                .help("Kafka transactions this instance committed (one per group commit)")
                .callback(cb -> cb.call(processor.transactions())).register(registry);
        return this;
    }

    @Override
    public void answered(Command command, Outcome outcome) {
        commands[command.kind().ordinal() * OUTCOMES.length + outcome.ordinal()].inc();
        if (outcome == Outcome.COMMITTED) {
            if (command instanceof Command.StartPlan || command instanceof Command.AdvancePlan) {
                stepsStarted.inc();
            } else if (command instanceof Command.RollBackPlan rollBack) {
                (rollBack.guardrail() != null ? guardrailRollbacks : manualRollbacks).inc();
            }
        }
    }

    @Override
    public void breach(BreachAction action) {
        breaches.labelValues(action.name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void tickFailed() {
        controllerTickFailures.inc();
    }

    @Override
    public void controllerRefused(String action, ErrorCode code) {
        controllerRefusals.labelValues(action, code.name()).inc();
    }

    @Override
    public void refused(ErrorCode code) {
        refusals.labelValues(code.name()).inc();   // off the hot path: the series appears with its first refusal
    }

    @Override
    public void refused(String action, ErrorCode code) {
        scheduleRefusals.labelValues(action, code.name()).inc();
    }

    @Override
    public void scheduledChangeApplied() {
        scheduledChangesApplied.inc();
    }

    @Override
    public void scheduledChangeFailed(ErrorCode code) {
        scheduledChangesFailed.labelValues(code.name()).inc();
    }

    private static long pendingScheduledChanges(WriteModel model) {
        long pending = 0;
        for (EnvironmentState environment : model.environments()) {
            for (Object state : model.all(ScheduleRef.class, environment.getName())) {
                if (((ScheduledChangeState) state).getStatus() == ScheduledChangeStatus.PENDING) {
                    pending++;
                }
            }
        }
        return pending;
    }

    @Override
    public void committed(int commandCount, int eventCount, long nanos) {
        commitSeconds.observe(nanos / 1e9);
        batchCommands.observe(commandCount);
        batchEvents.observe(eventCount);
    }

    private static String label(Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
    }

    public PrometheusRegistry registry() {
        return registry;
    }
}
