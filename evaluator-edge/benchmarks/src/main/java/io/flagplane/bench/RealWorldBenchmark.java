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
 * Issue 17's "real-world shapes" ({@link RealWorldScenario}: three string attributes, {@code in}
 * lists of two values), measured as a new user would set each SDK up, in one JMH run:
 * {@code flagplaneClient} is the public {@code FlagplaneClient}, offline from a snapshot file,
 * through {@code getBoolean}; {@code launchDarkly} is LaunchDarkly's {@code LDClient} from its file
 * data source, through {@code boolVariation}. {@code flagplaneEngine} is the engine alone on the
 * same flags (what the client adds is the difference). 1,024 contexts visited round-robin, built
 * before measuring; every SDK's answers are checked at setup. The flag key is passed to every SDK
 * as application code passes it, a string literal (interned by Java); the contexts' attribute
 * values are Strings of their own, as a service's data would be. Run with {@code -prof gc} for
 * bytes per operation, and {@code -prof io.flagplane.bench.CpuTimeProfiler} for CPU time per
 * operation on a shared machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RealWorldBenchmark {

    /** The flag under test and the round-robin context cursor, shared by every SDK's state. */
    @State(Scope.Thread)
    public abstract static class Base {
        @Param({RealWorldScenario.STATIC, RealWorldScenario.SPLIT, RealWorldScenario.THREE_CONDITIONS,
                RealWorldScenario.FIVE_RULES, RealWorldScenario.LISTS})
        public String flag;

        private int next;
        BenchmarkSdk sdk;

        abstract BenchmarkSdk create(Path dir);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            flag = flag.intern();   // as application code passes it: a literal, which Java interns (JMH's parameter is not)
            sdk = create(Files.createTempDirectory("flagplane-bench"));
            AnswerCheck.require(sdk, RealWorldScenario.ORACLE);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sdk.close();
        }

        final int nextContext() {
            return next = (next + 1) & (RealWorldScenario.CONTEXTS - 1);
        }
    }

    @State(Scope.Thread)
    public static class FlagplaneClient extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new FlagplaneClientSdk(RealWorldScenario.PEOPLE, dir);
        }
    }

    @State(Scope.Thread)
    public static class FlagplaneEngine extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return new FlagplaneSdk(FlagplaneClientSdk.states(RealWorldScenario.SHAPES),
                    FlagplaneClientSdk.contexts(RealWorldScenario.PEOPLE), false);
        }
    }

    @State(Scope.Thread)
    public static class LaunchDarkly extends Base {
        @Override
        BenchmarkSdk create(Path dir) {
            return LaunchDarklySdk.realWorld(RealWorldScenario.PEOPLE, dir);
        }
    }

    @Benchmark
    public boolean flagplaneClient(FlagplaneClient s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }

    @Benchmark
    public boolean flagplaneEngine(FlagplaneEngine s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }

    @Benchmark
    public boolean launchDarkly(LaunchDarkly s) {
        return s.sdk.evaluate(s.flag, s.nextContext());
    }
}
