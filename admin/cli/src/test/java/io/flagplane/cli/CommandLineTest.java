package io.flagplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

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
    void every_leaf_command_shows_its_own_examples_naming_it_not_the_roots() {
        List<String> leaves = new ArrayList<>();
        leaves(FlagplaneCli.commandLine(Map.of(), dir), leaves);
        assertThat(leaves).contains("flagplane plans start", "flagplane change-requests approve", "flagplane profile show",
                "flagplane completion", "flagplane watch").hasSizeGreaterThan(50);
        for (String leaf : leaves) {
            String[] path = leaf.substring("flagplane ".length()).split(" ");
            Run run = run(append(path, "--help"));
            assertThat(run.exit()).as(leaf).isZero();
            int examples = run.out().indexOf("Examples:");
            assertThat(examples).as(leaf + " has examples\n" + run.out()).isNotNegative();
            assertThat(run.out().substring(examples).lines())
                    .as(leaf + "'s examples name it\n" + run.out())
                    .anyMatch(line -> line.contains(leaf + " ") || line.endsWith(leaf) || line.contains(leaf + ")"));
            assertThat(run.out()).as(leaf + " does not print the root's examples").doesNotContain("Where it connects, first match wins")
                    .doesNotContain("Exit codes:");
        }
    }

    private static void leaves(CommandLine command, List<String> into) {
        Set<CommandLine> children = new LinkedHashSet<>(command.getSubcommands().values());   // an alias maps to the same one
        if (children.isEmpty()) {
            into.add(command.getCommandSpec().qualifiedName());
        }
        children.forEach(child -> leaves(child, into));
    }

    private static String[] append(String[] args, String last) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    @Test
    void completion_prints_a_bash_script_covering_the_verbs() {
        Run run = run("completion", "bash");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("complete -F").contains("add-user").contains("deploy");
    }

    @Test
    void completion_zsh_prints_no_script_and_says_how_zsh_uses_the_bash_one() {
        Run run = run("completion", "zsh");
        assertThat(run.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("there is no zsh script; zsh runs the bash one")
                .contains("autoload -U +X bashcompinit && bashcompinit && source <(flagplane completion bash)");
    }

    @Test
    void completion_for_another_shell_is_a_usage_error() {
        Run run = run("completion", "fish");
        assertThat(run.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("completion is generated for bash").contains("not fish");
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
