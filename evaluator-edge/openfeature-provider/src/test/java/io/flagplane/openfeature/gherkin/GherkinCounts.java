package io.flagplane.openfeature.gherkin;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestRunFinished;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the run the way the issue asks: passed, failed with a reason, skipped with a reason (and
 * anything else, which fails the build anyway), printed at the end and written to
 * {@code target/openfeature-gherkin-counts.txt}.
 */
public final class GherkinCounts implements ConcurrentEventListener {

    private int passed;
    private int unexpected;
    private final Map<String, Integer> failedWithReason = new TreeMap<>();
    private final Map<String, Integer> skippedWithReason = new TreeMap<>();

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestCaseFinished.class, this::finished);
        publisher.registerHandlerFor(TestRunFinished.class, e -> report());
    }

    private synchronized void finished(TestCaseFinished event) {
        Deviations.Deviation deviation = Deviations.of(event.getTestCase().getUri().toString(), event.getTestCase().getName());
        Status status = event.getResult().getStatus();
        String name = event.getTestCase().getName() + " — " + (deviation == null ? "" : deviation.reason());
        if (deviation != null && deviation.kind() == Deviations.Kind.FAILS && status == Status.PASSED) {
            failedWithReason.merge(name, 1, Integer::sum);   // it ran, and failed as the list says it does
        } else if (deviation != null && deviation.kind() == Deviations.Kind.SKIPPED && status == Status.SKIPPED) {
            skippedWithReason.merge(name, 1, Integer::sum);
        } else if (deviation == null && status == Status.PASSED) {
            passed++;
        } else {
            unexpected++;
        }
    }

    private synchronized void report() {
        StringBuilder out = new StringBuilder("OpenFeature Gherkin scenarios against FlagplaneProvider: ")
                .append(passed).append(" passed, ")
                .append(failedWithReason.values().stream().mapToInt(Integer::intValue).sum()).append(" failed with a reason, ")
                .append(skippedWithReason.values().stream().mapToInt(Integer::intValue).sum()).append(" skipped with a reason, ")
                .append(unexpected).append(" unexpected\n");
        failedWithReason.forEach((what, n) -> out.append("  failed  ×").append(n).append(": ").append(what).append('\n'));
        skippedWithReason.forEach((what, n) -> out.append("  skipped ×").append(n).append(": ").append(what).append('\n'));
        System.out.print(out);
        try {
            Path file = Path.of("target", "openfeature-gherkin-counts.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
