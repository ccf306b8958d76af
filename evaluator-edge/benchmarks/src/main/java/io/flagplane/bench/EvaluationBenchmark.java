package io.flagplane.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * One flag evaluation, four SDKs (Flagplane twice: without and with usage counting), five flags, 1,024 contexts visited round-robin, in one JMH run.
 * Each benchmark has a state of its own, so a fork builds only the SDK it measures (no other
 * SDK's background threads run beside it); its answers are checked at setup; it evaluates with
 * its own native context objects, built ahead of the measurement. Run with {@code -prof gc} for
 * bytes per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class EvaluationBenchmark {

    /** The flag under test and the round-robin context cursor, shared by every SDK's state. */
    @State(Scope.Thread)
    public abstract static class Base {
        @Param({Scenario.STATIC, Scenario.THREE_CONDITIONS, Scenario.SPLIT, Scenario.LISTS, Scenario.FIVE_RULES})
        public String flag;

        private int next;
        BenchmarkSdk sdk;

        abstract BenchmarkSdk create(Path dir);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            sdk = create(Files.createTempDirectory("flagplane-bench"));
            AnswerCheck.require(sdk);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sdk.close();
        }

        final int nextContext() {
            return next = (next + 1) & (Scenario.CONTEXTS - 1);
        }
    }

    @State(Scope.Thread)
    public static class Flagplane extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new FlagplaneSdk(Scenario.PEOPLE);
        }
    }

    /** Flagplane with reporting on: each evaluation is also counted beside its flag (what the SDK and edge do). */
    @State(Scope.Thread)
    public static class FlagplaneCounted extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new FlagplaneSdk(Scenario.PEOPLE, true);
        }
    }

    @State(Scope.Thread)
    public static class LaunchDarkly extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new LaunchDarklySdk(Scenario.PEOPLE, dir);
        }
    }

    @State(Scope.Thread)
    public static class Unleash extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new UnleashSdk(Scenario.PEOPLE, dir);
        }
    }

    @State(Scope.Thread)
    public static class Flagd extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new FlagdSdk(Scenario.PEOPLE, dir);
        }
    }

    /**
     * Flagplane alone: a flag with one prerequisite (the peers model prerequisites too differently
     * to compare like for like). {@value FlagplaneSdk#PREREQUISITE_ON_STATIC} is always met, so it
     * costs one more flag evaluation; {@value FlagplaneSdk#PREREQUISITE_ON_SPLIT} fails for half the
     * contexts, serving the pre-built PREREQUISITE_FAILED result.
     */
    @State(Scope.Thread)
    public static class FlagplanePrerequisite {
        @Param({FlagplaneSdk.PREREQUISITE_ON_STATIC, FlagplaneSdk.PREREQUISITE_ON_SPLIT})
        public String prerequisiteFlag;

        private int next;
        FlagplaneSdk sdk;

        @Setup(Level.Trial)
        public void setUp() {
            sdk = new FlagplaneSdk(Scenario.PEOPLE);
            sdk.requirePrerequisiteAnswers();
        }

        final int nextContext() {
            return next = (next + 1) & (Scenario.CONTEXTS - 1);
        }
    }

    @Benchmark
    public boolean flagplanePrerequisite(FlagplanePrerequisite s) {
        return s.sdk.evaluate(s.prerequisiteFlag, s.nextContext());
    }

    @Benchmark
    public boolean flagplane(Flagplane s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }

    @Benchmark
    public boolean flagplaneCounted(FlagplaneCounted s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }

    @Benchmark
    public boolean launchDarkly(LaunchDarkly s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }

    @Benchmark
    public boolean unleash(Unleash s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }

    @Benchmark
    public boolean flagd(Flagd s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }
}
