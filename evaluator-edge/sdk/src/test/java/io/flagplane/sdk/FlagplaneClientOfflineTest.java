package io.flagplane.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.FlagState;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.fixtures.States;
import io.flagplane.ruleset.SnapshotFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline: the client serves a snapshot file it is given, with no Kafka anywhere (no broker runs in these tests). */
class FlagplaneClientOfflineTest {

    @TempDir
    Path dir;

    private Path snapshot(FlagState... states) throws Exception {
        Path file = dir.resolve("flags.avro");
        SnapshotFile.write(file, List.of(states), List.of());
        return file;
    }

    @Test
    void an_offline_client_is_ready_when_built_and_serves_the_files_flags_of_its_environment() throws Exception {
        FlagState off = States.booleanState("production", "checkout.disabled", 2);
        off.setEnabled(false);
        Path file = snapshot(States.booleanState("production", "checkout.new_ui", 7), off,
                States.booleanState("staging", "staging.only", 1));

        try (FlagplaneClient flags = FlagplaneClient.builder().environment("production").snapshotFile(file).offline(true)
                .bootstrapServers("127.0.0.1:1").build()) {
            assertThat(flags.isReady()).as("ready without waiting").isTrue();
            EvaluationContext user = EvaluationContext.of("user-1");
            assertThat(flags.booleanDetail("checkout.new_ui", false, user)).satisfies(d -> {
                assertThat(d.value()).isTrue();
                assertThat(d.flagVersion()).isEqualTo(7);
            });
            assertThat(flags.getBoolean("checkout.disabled", true, user)).isFalse();
            assertThat(flags.booleanDetail("staging.only", true, user).errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
            assertThat(flags.status()).satisfies(s -> {
                assertThat(s.ready()).isTrue();
                assertThat(s.fromSnapshot()).isTrue();
                assertThat(s.flags()).isEqualTo(2);
                assertThat(s.tailFailed()).isFalse();
            });
            assertThat(flags.tail()).as("no Kafka side").isNull();
            assertThat(flags.reportingStats()).as("nothing reported").isEmpty();
            assertThat(flags.track("booking_confirmed", user)).as("tracking is off").isFalse();
        }
    }

    @Test
    void an_offline_client_never_writes_its_snapshot_file() throws Exception {
        Path file = snapshot(States.booleanState("production", "checkout.new_ui", 7));
        byte[] before = Files.readAllBytes(file);
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(file, old);

        try (FlagplaneClient flags = FlagplaneClient.builder().snapshotFile(file).offline(true).build()) {
            assertThat(flags.getBoolean("checkout.new_ui", false, EvaluationContext.of("u"))).isTrue();
        }

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(old);
        try (var listing = Files.list(dir)) {
            assertThat(listing).as("no temporary snapshot left beside it").containsExactly(file);
        }
    }

    @Test
    void offline_without_a_snapshot_file_is_refused_when_built() {
        assertThatThrownBy(() -> FlagplaneClient.builder().offline(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snapshotFile");
    }

    @Test
    void offline_with_a_missing_snapshot_file_is_refused_when_built_naming_the_file() {
        Path missing = dir.resolve("nowhere.avro");
        assertThatThrownBy(() -> FlagplaneClient.builder().snapshotFile(missing).offline(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void offline_with_a_flag_the_engine_cannot_prepare_is_refused_when_built_naming_the_file() throws Exception {
        FlagState broken = States.booleanState("production", "checkout.broken", 1);
        broken.getDefinition().getFallthrough().setVariant("no-such-variant");
        Path file = snapshot(States.booleanState("production", "checkout.new_ui", 7), broken);
        assertThatThrownBy(() -> FlagplaneClient.builder().snapshotFile(file).offline(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("cannot be served");
    }

    @Test
    void offline_with_a_file_that_is_not_a_snapshot_is_refused_when_built() throws Exception {
        Path garbage = Files.writeString(dir.resolve("flags.avro"), "not an avro container");
        assertThatThrownBy(() -> FlagplaneClient.builder().snapshotFile(garbage).offline(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be read");
    }
}
