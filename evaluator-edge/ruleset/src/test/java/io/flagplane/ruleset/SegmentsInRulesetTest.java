package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.FlagType;
import io.flagplane.fixtures.States;
import io.flagplane.mapping.FlagStateMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments travel beside flags: in the store, in change notifications and in the snapshot file. */
class SegmentsInRulesetTest {

    private static final FlagRef GATED = new FlagRef("production", "checkout.new_ui");

    private final RulesetStore store = new RulesetStore();
    private final List<List<FlagRef>> heard = new ArrayList<>();

    private boolean served(String user) {
        return Evaluator.evaluate(store.current().view("production"), "checkout.new_ui", FlagType.BOOLEAN, false,
                EvaluationContext.of(user)).value();
    }

    private void apply(FlagState... flags) {
        store.apply(List.of(flags).stream().map(f -> new RulesetStore.Update(new FlagRef(f.getEnvironment(), f.getFlagKey()),
                FlagStateMapper.toFlag(f))).toList(), List.of());
    }

    private List<FlagRef> apply(SegmentState... segments) {
        return store.apply(List.of(), List.of(segments).stream().map(s -> new RulesetStore.SegmentUpdate(
                new SegmentRef(s.getEnvironment(), s.getSegmentKey()), FlagStateMapper.toSegment(s))).toList());
    }

    @Test
    void a_flag_gated_on_a_segment_follows_the_segment_and_hears_its_changes() {
        store.onChange(heard::add);
        apply(States.segmentGated("production", "checkout.new_ui", 1, "beta-users"));
        assertThat(served("u-1")).as("no segment yet: the rule cannot match").isFalse();

        assertThat(apply(States.segment("production", "beta-users", 1, "u-1", "u-2"))).containsExactly(GATED);
        assertThat(served("u-1")).isTrue();
        assertThat(served("u-3")).isFalse();

        apply(States.segment("production", "beta-users", 2, "u-3"));
        assertThat(served("u-1")).isFalse();
        assertThat(served("u-3")).isTrue();
        assertThat(heard).containsExactly(List.of(GATED), List.of(GATED), List.of(GATED));
    }

    @Test
    void an_older_segment_version_never_moves_it_backwards() {
        apply(States.segmentGated("production", "checkout.new_ui", 1, "beta-users"));
        apply(States.segment("production", "beta-users", 3, "u-3"));

        assertThat(apply(States.segment("production", "beta-users", 2, "u-1"), States.segment("production", "beta-users", 3, "u-1")))
                .isEmpty();
        assertThat(served("u-3")).isTrue();
        assertThat(store.current().segment("production", "beta-users").version()).isEqualTo(3);
    }

    @Test
    void an_archived_segment_contains_nobody_and_keeps_its_version() {
        apply(States.segmentGated("production", "checkout.new_ui", 1, "beta-users"));
        apply(States.segment("production", "beta-users", 1, "u-1"));
        SegmentState archived = SegmentState.newBuilder(States.segment("production", "beta-users", 2, "u-1")).setArchived(true).build();
        apply(archived);

        assertThat(served("u-1")).isFalse();
        assertThat(apply(States.segment("production", "beta-users", 1, "u-1"))).as("a replay cannot revive it").isEmpty();
    }

    @Test
    void flags_that_reach_a_segment_through_another_segment_hear_its_changes_too() {
        // "paying" is "pro-tier" or "enterprise-tier"; the flag names only "paying"
        SegmentState paying = States.segment("production", "paying", 1, SegmentDefinition.newBuilder().setRules(List.of(
                new SegmentRule(List.of(new Condition("targetingKey", "in_segment", List.of("pro-tier")))))).build());
        apply(States.segmentGated("production", "checkout.new_ui", 1, "paying"),
                States.booleanState("production", "unrelated.flag", 1));
        apply(paying, States.segmentByAttribute("production", "pro-tier", 1, "tier", "pro"));

        List<FlagRef> changed = apply(States.segmentByAttribute("production", "pro-tier", 2, "tier", "pro", "team"));

        assertThat(changed).containsExactly(GATED);
        assertThat(Evaluator.evaluate(store.current().view("production"), "checkout.new_ui", FlagType.BOOLEAN, false,
                EvaluationContext.of("u-9", Map.of("tier", "team"))).value()).isTrue();
    }

    @Test
    void segments_are_kept_per_environment() {
        apply(States.segmentGated("production", "checkout.new_ui", 1, "beta-users"));
        apply(States.segment("staging", "beta-users", 1, "u-1"));

        assertThat(served("u-1")).isFalse();
        assertThat(store.current().segments("staging")).hasSize(1);
        assertThat(store.current().segments("production")).isEmpty();
    }

    @Test
    void the_snapshot_file_holds_flags_and_segments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ruleset.avro");
        FlagState flag = States.segmentGated("production", "checkout.new_ui", 4, "beta-users");
        SegmentState segment = States.segment("production", "beta-users", 2, "u-1");
        SnapshotFile.write(file, List.of(flag), List.of(segment));

        SnapshotFile.Snapshot read = SnapshotFile.read(file);
        assertThat(read.flags()).containsExactly(flag);
        assertThat(read.segments()).containsExactly(segment);
        assertThat(SnapshotFile.read(dir.resolve("missing.avro")).isEmpty()).isTrue();
    }

    @Test
    void a_snapshot_written_before_segments_existed_still_reads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.avro");
        FlagState flag = States.booleanState("production", "booking.enabled", 7);
        try (DataFileWriter<FlagState> writer = new DataFileWriter<>(new SpecificDatumWriter<>(FlagState.class))) {
            writer.create(FlagState.getClassSchema(), file.toFile());
            writer.append(flag);
        }

        SnapshotFile.Snapshot read = SnapshotFile.read(file);
        assertThat(read.flags()).containsExactly(flag);
        assertThat(read.segments()).isEmpty();
    }

    @Test
    void a_corrupt_snapshot_is_an_io_error_not_a_crash(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("corrupt.avro");
        Files.write(file, new byte[] {'O', 'b', 'j', 1, 0, 0, 0, 9, 9});

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(java.io.IOException.class);
    }
}
