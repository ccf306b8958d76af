package io.flagplane.bench;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.mapping.FlagStateMapper;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.reporting.exposure.ExposureSettings;
import io.flagplane.ruleset.RulesetStore;
import io.flagplane.ruleset.RulesetView;
import io.flagplane.ruleset.UsageCounters;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of exposure logging on the evaluation path, on and off in one run: a boolean flag whose
 * 50/50 fallthrough split is measured by a RUNNING experiment (every evaluation is an exposure),
 * evaluated the way the SDK does (engine, usage count, then the exposure log), over {@code users}
 * contexts visited round-robin. With 1,024 users every evaluation after the first round is a user
 * already logged within the hour (the steady state of a service): a de-duplication probe. With
 * 262,144 users and the default 131,072-entry table almost every evaluation is a user the table
 * no longer holds: the worst case, an exposure made and queued (or dropped when the buffer is full).
 * The exposures go to a sink that counts and discards them on the log's own background thread, as
 * a Kafka producer would take them; no broker is involved. Run with {@code -prof gc} for bytes per
 * operation (the background thread's allocations count too).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ExposureBenchmark {

    static final String FLAG = "bench.experiment";

    static {
        AvroContract.trustGeneratedClasses();
    }

    @State(Scope.Thread)
    public abstract static class Base {
        @Param({"1024", "262144"})
        public int users;

        RulesetView view;
        EvaluationContext[] contexts;
        ExposureLog exposures;
        final LongAdder sunk = new LongAdder();
        private int next;

        abstract ExposureLog exposures();

        @Setup(Level.Trial)
        public void setUp() {
            RulesetStore store = new RulesetStore(UsageCounters.enabled(), Clock.systemUTC());
            store.apply(List.of(new RulesetStore.Update(new FlagRef("production", FLAG), FlagStateMapper.toFlag(state()))));
            view = store.current().view("production");
            contexts = new EvaluationContext[users];
            for (int i = 0; i < users; i++) {
                contexts[i] = EvaluationContext.of("user-" + i);
            }
            exposures = exposures();
            Evaluation<Boolean> first = evaluate(0);
            if (first.experiment() == null) {
                throw new IllegalStateException("the benchmark flag's results are not exposures: " + first);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ExposureLog.Stats stats = exposures.stats();
            exposures.close();
            System.out.printf("%n  exposures: logged %,d, deduplicated %,d, dropped %,d, sent to the sink %,d%n",
                    stats.logged(), stats.deduplicated(), stats.dropped(), sunk.sum());
        }

        /** What the SDK does per evaluation: engine, usage count, exposure log. */
        final Evaluation<Boolean> evaluate(int context) {
            Evaluation<Boolean> result = Evaluator.evaluate(view, FLAG, io.flagplane.evaluation.FlagType.BOOLEAN, Boolean.FALSE,
                    contexts[context]);
            if (result.experiment() != null) {
                exposures.log("production", FLAG, result, contexts[context].targetingKey());
            }
            return result;
        }

        final int nextContext() {
            int n = next + 1;
            next = n == users ? 0 : n;
            return next;
        }
    }

    /** Exposure logging off: {@link ExposureLog#OFF}, the same call the SDK makes when it is off. */
    @State(Scope.Thread)
    public static class Off extends Base {
        @Override
        ExposureLog exposures() {
            return ExposureLog.OFF;
        }
    }

    /** Exposure logging on, with the default settings (1 h window, 131,072 users, 10,000 queued). */
    @State(Scope.Thread)
    public static class On extends Base {
        @Override
        ExposureLog exposures() {
            return ExposureLog.start(ExposureSettings.defaults(), "bench", (exposure, outcome) -> {
                sunk.increment();
                outcome.sent();
            });
        }
    }

    @Benchmark
    public boolean exposuresOff(Off s) {
        return s.evaluate(s.nextContext()).value();
    }

    @Benchmark
    public boolean exposuresOn(On s) {
        return s.evaluate(s.nextContext()).value();
    }

    /** A boolean flag, 50/50 on its fallthrough, with a RUNNING experiment measuring that split. */
    static FlagState state() {
        List<WeightedVariant> arms = List.of(new WeightedVariant("on", 5_000), new WeightedVariant("off", 5_000));
        FlagDefinition definition = FlagDefinition.newBuilder().setType(FlagType.BOOLEAN)
                .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                .setOffVariant("off").setFallthrough(Serve.newBuilder().setSplit(new Split(arms, null)).build())
                .setSalt("bench").build();
        Experiment experiment = Experiment.newBuilder().setKey("bench-test").setStatus(ExperimentStatus.RUNNING)
                .setDefinition(ExperimentDefinition.newBuilder().setPrimaryMetric(ExperimentMetric.newBuilder()
                        .setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build()).build())
                .setCreatedAt(Instant.EPOCH).setLaunchedAt(Instant.EPOCH).setArms(arms).setLaunchedAtVersion(1).build();
        return FlagState.newBuilder().setEnvironment("production").setFlagKey(FLAG).setVersion(1).setDefinition(definition)
                .setEnabled(true).setKilled(false).setArchived(false).setCreatedAt(Instant.EPOCH)
                .setLastChange(new ChangeInfo("e", "ExperimentLaunched", Instant.EPOCH,
                        new io.flagplane.avro.Actor("bench", ActorKind.SYSTEM), null, null))
                .setExperiments(List.of(experiment))
                .build();
    }
}
