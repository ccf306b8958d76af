package io.flagplane.reporting;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.avro.VariantCount;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagType;
import io.flagplane.evaluation.Segment;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.ruleset.RulesetStore;
import io.flagplane.ruleset.RulesetView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reporter without a broker: a ruleset that is never started (its store is fed by hand), a
 * sender that keeps what it is given, and a clock moved by hand; the test takes each step of the
 * reporter's thread itself ({@code reportIfDue}).
 */
class EvaluatorReporterTest {

    private static final Instant START = Instant.parse("2026-11-21T09:00:00Z");
    private static final EvaluationContext USER = EvaluationContext.of("user-1");

    /** Keeps every report; drops them while {@link #down} is set. */
    private static final class FakeSender implements ReportSender {
        final List<EvaluatorReport> sent = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile boolean closed;

        @Override
        public void send(EvaluatorReport report, Outcome outcome) {
            if (down) {
                outcome.dropped("Kafka is away");
            } else {
                sent.add(report);
                outcome.sent();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final MovableClock clock = new MovableClock(START);
    private final LiveRuleset ruleset = new LiveRuleset(LiveRuleset.Options.of("127.0.0.1:1", TopicNames.DEFAULT, Set.of())
            .withUsageCounting(true), new InMemorySchemaRegistry());
    private final FakeSender sender = new FakeSender();
    private final EvaluatorReporter reporter = new EvaluatorReporter(
            new EvaluatorIdentity("node-1", EvaluatorKind.SDK_CLIENT, "host-a", List.of("production"), "1.0", "00", START),
            ReportingSettings.defaults(), ruleset, sender, clock, 100);

    @AfterEach
    void close() {
        reporter.close();
        ruleset.close();
    }

    private static Flag flag(String key, long version, String serves) {
        return Flag.builder(key, FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                .fallthrough(serves).enabled(true).version(version).build();
    }

    private void apply(Flag... flags) {
        List<RulesetStore.Update> updates = new ArrayList<>();
        for (Flag flag : flags) {
            updates.add(new RulesetStore.Update(new FlagRef("production", flag.key()), flag));
        }
        ruleset.store().apply(updates);
    }

    private void evaluate(String key, FlagType type, int times) {
        RulesetView view = ruleset.current().view("production");
        for (int i = 0; i < times; i++) {
            Evaluator.evaluate(view, key, type, null, USER);   // the view counts it
        }
    }

    private static Map<String, Long> usage(List<EvaluatorReport> reports) {
        Map<String, Long> out = new HashMap<>();
        for (EvaluatorReport report : reports) {
            report.getUsage().forEach(u -> {
                for (VariantCount count : u.getVariants()) {
                    out.merge(u.getFlagKey() + "/" + count.getVariant(), count.getCount(), Long::sum);
                }
            });
        }
        return out;
    }

    @Test
    void a_change_is_reported_after_the_coalescing_delay_with_each_version_applied_and_when() {
        Instant before = Instant.now();
        apply(flag("a.flag", 3, "on"), flag("b.flag", 1, "off"));
        ruleset.store().apply(List.of(), List.of(new RulesetStore.SegmentUpdate(new SegmentRef("production", "beta"),
                Segment.builder("beta").version(2).include(List.of("user-9")).build())));

        assertThat(reporter.reportIfDue()).as("not before the coalescing delay").isFalse();
        clock.advance(Duration.ofMillis(50));
        assertThat(reporter.reportIfDue()).isTrue();

        assertThat(sender.sent).hasSize(1);
        EvaluatorReport report = sender.sent.get(0);
        assertThat(report.getApplied()).extracting(AppliedVersion::getKey, AppliedVersion::getVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a.flag", 3L), org.assertj.core.groups.Tuple.tuple("b.flag", 1L),
                        org.assertj.core.groups.Tuple.tuple("segment:beta", 2L));
        assertThat(report.getApplied()).allSatisfy(a -> assertThat(a.getAppliedAt())
                .isBetween(before.minusMillis(1), Instant.now()));
        assertThat(report.getStatus()).as("never ready: not current since it started").isEqualTo(EvaluatorStatus.STALE);
        assertThat(report.getStaleSince()).isEqualTo(START);
        assertThat(report.getSequence()).isEqualTo(1);
        assertThat(reporter.reportIfDue()).as("nothing more is due").isFalse();
    }

    @Test
    void a_burst_of_changes_within_the_delay_is_one_report() {
        for (int version = 1; version <= 10; version++) {
            apply(flag("a.flag", version, "on"));
            clock.advance(Duration.ofMillis(4));
        }
        clock.advance(Duration.ofMillis(10));
        reporter.reportIfDue();

        assertThat(sender.sent).hasSize(1);
        assertThat(sender.sent.get(0).getApplied()).extracting(AppliedVersion::getVersion)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void usage_in_the_reports_adds_up_to_the_evaluations_made() {
        apply(flag("a.flag", 1, "on"), flag("b.flag", 1, "off"));
        evaluate("a.flag", FlagType.BOOLEAN, 40);
        evaluate("b.flag", FlagType.BOOLEAN, 3);
        clock.advance(Duration.ofMillis(50));
        reporter.reportIfDue();
        evaluate("a.flag", FlagType.BOOLEAN, 2);
        evaluate("a.flag", FlagType.STRING, 5);   // type mismatch: counted under ""
        evaluate("nope", FlagType.BOOLEAN, 9);    // unknown: nothing to count under
        clock.advance(Duration.ofSeconds(5));
        reporter.reportIfDue();

        assertThat(sender.sent).hasSize(2);
        assertThat(usage(sender.sent)).isEqualTo(Map.of("a.flag/on", 42L, "b.flag/off", 3L, "a.flag/", 5L));
        assertThat(sender.sent.get(1).getUsageSince()).isEqualTo(sender.sent.get(0).getReportedAt());
        assertThat(sender.sent.get(1).getApplied()).as("a heartbeat: nothing applied since").isEmpty();
    }

    @Test
    void heartbeats_come_every_interval_with_increasing_sequence() {
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(5));
            assertThat(reporter.reportIfDue()).isTrue();
        }
        assertThat(sender.sent).extracting(EvaluatorReport::getSequence).containsExactly(1L, 2L, 3L, 4L);
        assertThat(sender.sent).extracting(EvaluatorReport::getReportedAt)
                .containsExactly(START.plusSeconds(5), START.plusSeconds(10), START.plusSeconds(15), START.plusSeconds(20));
    }

    @Test
    void reports_kafka_does_not_take_are_dropped_counted_and_said_in_the_next_one() {
        apply(flag("a.flag", 1, "on"), flag("b.flag", 1, "off"));
        evaluate("a.flag", FlagType.BOOLEAN, 3);
        sender.down = true;
        clock.advance(Duration.ofMillis(50));
        reporter.reportIfDue();

        assertThat(reporter.stats().dropped()).isEqualTo(1);
        assertThat(reporter.stats().droppedEntries()).as("two applied versions and one flag's usage").isEqualTo(3);
        assertThat(reporter.stats().lastSentAt()).isNull();

        sender.down = false;
        clock.advance(Duration.ofSeconds(5));
        reporter.reportIfDue();
        assertThat(sender.sent).hasSize(1);
        assertThat(sender.sent.get(0).getDroppedSinceStart()).isEqualTo(3);
        assertThat(sender.sent.get(0).getSequence()).as("the dropped one had sequence 1").isEqualTo(2);
        assertThat(reporter.stats().sent()).isEqualTo(1);
        assertThat(reporter.stats().lastSentAt()).isEqualTo(clock.instant());
    }

    @Test
    void the_last_report_says_stopping_and_carries_what_was_served_since_the_one_before() {
        apply(flag("a.flag", 1, "on"));
        evaluate("a.flag", FlagType.BOOLEAN, 4);
        reporter.report(true);

        assertThat(sender.sent).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(EvaluatorStatus.STOPPING);
            assertThat(r.getApplied()).hasSize(1);
        });
        assertThat(usage(sender.sent)).isEqualTo(Map.of("a.flag/on", 4L));
    }

    @Test
    void a_started_reporter_sends_stopping_when_closed_and_closes_its_sender() {
        EvaluatorReporter started = new EvaluatorReporter(
                new EvaluatorIdentity("node-2", EvaluatorKind.EDGE_NODE, "host-a", List.of("*"), "1.0", "00", START),
                ReportingSettings.defaults(), ruleset, sender, clock, 100).start();
        started.close();

        assertThat(sender.sent).extracting(EvaluatorReport::getStatus).containsExactly(EvaluatorStatus.STOPPING);
        assertThat(sender.closed).isTrue();
    }
}
