package io.flagplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {

    @TempDir
    Path dir;

    Run run(String... args) {
        return Run.of(Map.of("HOME", dir.toString()), dir, args);
    }

    @Test
    void an_unknown_command_is_a_usage_error_with_exit_2() {
        Run run = run("deplo");
        assertThat(run.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("Unmatched argument").contains("deploy");
    }

    @Test
    void help_lists_the_seed_verbs_the_exit_codes_and_where_the_token_comes_from() {
        Run run = run("--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("init", "status", "add-user", "deploy", "rollback", "watch", "change-requests")
                .contains("3  written, but not live on every evaluator within --wait-timeout")
                .contains(".flagplane/admin-token").contains("FLAGPLANE_CLI_TOKEN");
    }

    @Test
    void every_command_has_help_with_examples() {
        for (String command : new String[] {"init", "add-user", "deploy", "status", "rollback", "flags", "watch", "experiments",
                "plans", "change-requests", "profile", "completion"}) {
            Run run = run(command, "--help");
            assertThat(run.exit()).as(command).isZero();
            assertThat(run.out()).as(command).contains("Examples:");
        }
    }

    @Test
    void completion_prints_a_bash_script_covering_the_verbs() {
        Run run = run("completion", "bash");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("complete -F").contains("add-user").contains("deploy");
    }

    @Test
    void a_bad_duration_is_a_usage_error_naming_it() {
        Run run = run("flags", "kill", "a.b", "--wait-timeout", "soon");
        assertThat(run.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("'soon' is not a duration");
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "10s,10000", "2m,120000", "1h,3600000"})
    void durations_parse(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void an_incomplete_propagation_names_the_pending_nodes() throws Exception {
        var answer = new ObjectMapper().readTree("{\"environment\":\"production\",\"complete\":false,\"live\":4,\"expected\":4,"
                + "\"applied\":3,\"pending\":[\"edge-4\"],\"evaluators\":[]}");
        assertThat(Propagation.describe(answer, Duration.ofSeconds(10))).isEqualTo("live on 3 of 4 nodes after 10 s; pending: edge-4");
    }

    @Test
    void a_complete_propagation_reports_the_slowest_nodes_latency() throws Exception {
        var answer = new ObjectMapper().readTree("{\"environment\":\"production\",\"complete\":true,\"live\":2,\"expected\":2,"
                + "\"applied\":2,\"pending\":[],\"evaluators\":[{\"latencyMs\":12},{\"latencyMs\":31}]}");
        assertThat(Propagation.describe(answer, Duration.ofSeconds(1))).isEqualTo("live on 2 of 2 nodes in 31 ms");
    }
}
