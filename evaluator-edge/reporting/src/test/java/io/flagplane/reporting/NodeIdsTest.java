package io.flagplane.reporting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdsTest {

    @TempDir
    Path dir;

    @Test
    void a_configured_id_wins() {
        assertThat(NodeIds.forEdge("edge-eu-1", dir.resolve("snapshot.avro"), "host", 8083)).isEqualTo("edge-eu-1");
        assertThat(NodeIds.forSdk("checkout-7")).isEqualTo("checkout-7");
    }

    @Test
    void an_edge_with_a_snapshot_file_keeps_a_generated_id_beside_it() throws Exception {
        Path snapshot = dir.resolve("snapshot.avro");
        String first = NodeIds.forEdge(null, snapshot, "host", 8083);

        assertThat(first).startsWith("edge-");
        assertThat(Files.readString(dir.resolve("snapshot.avro.node-id")).trim()).isEqualTo(first);
        assertThat(NodeIds.forEdge(null, snapshot, "other-host", 9999)).as("after a restart").isEqualTo(first);
    }

    @Test
    void a_kept_id_that_is_not_a_valid_id_is_replaced() throws Exception {
        Files.writeString(dir.resolve("snapshot.avro.node-id"), "not a valid id\n");
        String id = NodeIds.forEdge(null, dir.resolve("snapshot.avro"), "host", 8083);

        assertThat(id).startsWith("edge-").doesNotContain(" ");
        assertThat(Files.readString(dir.resolve("snapshot.avro.node-id")).trim()).isEqualTo(id);
    }

    @Test
    void without_a_snapshot_an_edge_on_a_fixed_port_is_named_by_host_and_port_and_one_on_an_ephemeral_port_is_random() {
        assertThat(NodeIds.forEdge(null, null, "web 1.example", 8083)).isEqualTo("edge-web_1.example:8083");
        assertThat(NodeIds.forEdge(null, null, "host", 0)).startsWith("edge-").isNotEqualTo(NodeIds.forEdge(null, null, "host", 0));
        assertThat(NodeIds.forSdk(null)).startsWith("sdk-").isNotEqualTo(NodeIds.forSdk(null));
    }

    @Test
    void an_id_with_spaces_or_control_characters_is_refused_with_the_rule() {
        assertThatThrownBy(() -> new ReportingSettings(true, "a b", ReportingSettings.DEFAULT_HEARTBEAT,
                ReportingSettings.DEFAULT_COALESCE, 10, java.util.Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 200 letters");
    }
}
