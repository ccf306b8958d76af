package io.flagplane.openfeature.gherkin;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.MutableContext;
import io.flagplane.avro.FlagState;
import io.flagplane.ruleset.SnapshotFile;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.testkit.stack.StoppableStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the steps share. Per scenario: the OpenFeature client, the flag asked about, the context,
 * the last details, the hook. Per run: the flags, written once as a Flagplane snapshot file, and a
 * broker of the run's own (an empty flag-state topic, so a client that boots from the snapshot
 * then catches up and is current: a stable provider), made on first use.
 *
 * <p>Cucumber without a dependency-injection module gives each step class a new instance per
 * scenario and nothing to share them with, so the state lives here, reset by {@link Hooks}.
 */
final class World {

    /** One evaluation to make: a type (Boolean, String, Integer, Float, Object), a key, a default. */
    record FlagRequest(String type, String key, Object defaultValue) {
    }

    static Client client;
    static FlagRequest flag;
    static MutableContext context = new MutableContext();
    static FlagEvaluationDetails<?> details;
    static RecordingHook hook;
    static Deviations.Deviation deviation;
    /** Assertion failures a {@link Deviations.Kind#FAILS} scenario was expected to have. */
    static final List<AssertionError> expectedFailures = new ArrayList<>();

    private static Path gherkinDir;
    private static Path snapshot;
    private static StoppableStack kafka;
    private static String topicPrefix;

    private World() {
    }

    static void reset() {
        client = null;
        flag = null;
        context = new MutableContext();
        details = null;
        hook = null;
        deviation = null;
        expectedFailures.clear();
    }

    /**
     * Runs one of a Then step's checks. In a scenario listed as failing, a failed check is
     * recorded rather than thrown ({@link Hooks} then insists there was one).
     */
    static void check(Runnable assertion) {
        try {
            assertion.run();
        } catch (AssertionError e) {
            if (deviation == null || deviation.kind() != Deviations.Kind.FAILS) {
                throw e;
            }
            expectedFailures.add(e);
        }
    }

    /** Where the feature files and flag data are; fails loudly when they are not there. */
    static synchronized Path gherkinDir() {
        if (gherkinDir == null) {
            String configured = System.getProperty("openfeature.gherkin.dir");
            if (configured == null || !Files.isDirectory(Path.of(configured, "testdata"))) {
                throw new IllegalStateException("OpenFeature's Gherkin files are not at '" + configured
                        + "' (system property openfeature.gherkin.dir; the build sets it to ../shared/openfeature-gherkin"
                        + " beside the repository)");
            }
            gherkinDir = Path.of(configured);
        }
        return gherkinDir;
    }

    /** The test flags as a Flagplane snapshot file, written once. */
    static synchronized Path snapshot() {
        if (snapshot == null) {
            try {
                List<FlagState> flags = TestFlags.read(gherkinDir());
                Path file = Files.createTempDirectory(Path.of("target"), "gherkin").resolve("test-flags.avro");
                SnapshotFile.write(file, flags, List.of());
                snapshot = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return snapshot;
    }

    static synchronized StoppableStack kafka() {
        if (kafka == null) {
            kafka = new StoppableStack();
            topicPrefix = kafka.topics().flagState().replace("flag-state", "");
        }
        return kafka;
    }

    /** A client of the run's broker that boots from the snapshot file (a copy, so clients never share one). */
    static FlagplaneClient clientFromSnapshot(String bootstrapServers, Map<String, Object> consumer) {
        StoppableStack stack = kafka();
        try {
            Path own = Files.createTempFile(snapshot().getParent(), "client", ".avro");
            Files.copy(snapshot(), own, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return FlagplaneClient.builder().bootstrapServers(bootstrapServers).schemaRegistryUrl(stack.schemaRegistryUrl())
                    .topicPrefix(topicPrefix).environment(TestFlags.ENVIRONMENT)
                    .snapshotFile(own).consumerProperties(consumer).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized void close() throws Exception {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
