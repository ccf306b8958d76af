package io.flagplane.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutWorkloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void single_commands_visit_flags_round_robin_and_never_repeat_a_flags_last_percentage() throws Exception {
        RolloutWorkload workload = new RolloutWorkload("loadtest", "r1", 7, 1);
        Map<String, Integer> last = new HashMap<>();
        for (long seq = 0; seq < 7 * 250; seq++) {
            RolloutWorkload.Request request = workload.request(seq);
            assertThat(request.method()).isEqualTo("PATCH");
            assertThat(request.path()).startsWith("/api/v1/environments/loadtest/flags/load.r1.f").endsWith("/rollout");
            int percentage = JSON.readTree(request.body()).get("percentage").asInt();
            assertThat(percentage).isBetween(1, 99);
            Integer previous = last.put(request.path(), percentage);
            assertThat(percentage).as("a repeat would be a no-op, not a durable command").isNotEqualTo(previous);
        }
        assertThat(last).hasSize(7);
    }

    @Test
    void change_sets_hold_distinct_flags_and_real_changes() throws Exception {
        RolloutWorkload workload = new RolloutWorkload("loadtest", "r2", 25, 10);
        Map<String, Integer> last = new HashMap<>();
        for (long seq = 0; seq < 100; seq++) {
            RolloutWorkload.Request request = workload.request(seq);
            assertThat(request.path()).isEqualTo("/api/v1/changesets");
            JsonNode commands = JSON.readTree(request.body()).get("commands");
            assertThat(commands).hasSize(10);
            Set<String> flags = new HashSet<>();
            for (JsonNode command : commands) {
                assertThat(command.get("action").asText()).isEqualTo("setRollout");
                assertThat(flags.add(command.get("flag").asText())).isTrue();
                assertThat(command.get("percentage").asInt()).isNotEqualTo(last.put(command.get("flag").asText(),
                        command.get("percentage").asInt()));
            }
        }
    }

    @Test
    void the_pool_is_created_in_change_sets_of_create_commands() throws Exception {
        RolloutWorkload workload = new RolloutWorkload("loadtest", "r3", 250, 1);
        JsonNode body = JSON.readTree(workload.createChangeSet(200, 250));
        assertThat(body.get("commands")).hasSize(50);
        assertThat(body.get("commands").get(0).get("key").asText()).isEqualTo("load.r3.f200");
        assertThat(body.get("commands").get(0).get("type").asText()).isEqualTo("boolean");
        assertThatThrownBy(() -> new RolloutWorkload("loadtest", "r4", 5, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
