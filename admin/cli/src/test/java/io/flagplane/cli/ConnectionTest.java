package io.flagplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionTest {

    @TempDir
    Path dir;

    Map<String, String> env = new HashMap<>();
    Path work;

    static final Connection.Options NONE = new Connection.Options(null, null, null, null, null, null, null);

    @BeforeEach
    void setUp() throws Exception {
        env.put("HOME", dir.resolve("home").toString());
        work = Files.createDirectories(dir.resolve("work"));
    }

    private void profiles(String json) throws Exception {
        Path file = dir.resolve("home/.config/flagplane/cli.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    @Test
    void with_nothing_configured_it_is_the_local_stack_without_a_token() {
        Connection c = Connection.resolve(NONE, env, work);
        assertThat(c.commandUrl()).isEqualTo("http://localhost:8080");
        assertThat(c.projectionUrl()).isEqualTo("http://localhost:8082");
        assertThat(c.edgeUrl()).isEqualTo("http://localhost:8083");
        assertThat(c.environment()).isEqualTo("production");
        assertThat(c.token()).isNull();
    }

    @Test
    void the_local_stacks_admin_token_in_the_working_directory_is_used_when_nothing_names_one() throws Exception {
        Files.createDirectories(work.resolve(".flagplane"));
        Files.writeString(work.resolve(".flagplane/admin-token"), "fpt_local\n");
        Connection c = Connection.resolve(NONE, env, work);
        assertThat(c.token()).isEqualTo("fpt_local");
        assertThat(c.tokenSource()).isEqualTo(".flagplane/admin-token");
    }

    @Test
    void options_beat_environment_variables_which_beat_the_profile_which_beats_the_defaults() throws Exception {
        profiles("{\"current\":\"prod\",\"profiles\":{\"prod\":{\"commandUrl\":\"https://p-cmd\",\"projectionUrl\":\"https://p-proj\","
                + "\"edgeUrl\":\"https://p-edge\",\"token\":\"from-profile\",\"environment\":\"staging\"}}}");
        Files.createDirectories(work.resolve(".flagplane"));
        Files.writeString(work.resolve(".flagplane/admin-token"), "fpt_local\n");

        Connection fromProfile = Connection.resolve(NONE, env, work);
        assertThat(fromProfile.profile()).isEqualTo("prod");
        assertThat(fromProfile.commandUrl()).isEqualTo("https://p-cmd");
        assertThat(fromProfile.environment()).isEqualTo("staging");
        assertThat(fromProfile.token()).isEqualTo("from-profile");

        env.put("FLAGPLANE_CLI_COMMAND_URL", "https://env-cmd/");
        env.put("FLAGPLANE_CLI_TOKEN", "from-env");
        Connection fromEnv = Connection.resolve(NONE, env, work);
        assertThat(fromEnv.commandUrl()).isEqualTo("https://env-cmd");
        assertThat(fromEnv.projectionUrl()).isEqualTo("https://p-proj");
        assertThat(fromEnv.token()).isEqualTo("from-env");

        Connection fromOptions = Connection.resolve(new Connection.Options(null, "https://opt-cmd", null, null, "from-option", null,
                "qa"), env, work);
        assertThat(fromOptions.commandUrl()).isEqualTo("https://opt-cmd");
        assertThat(fromOptions.token()).isEqualTo("from-option");
        assertThat(fromOptions.environment()).isEqualTo("qa");
        assertThat(fromOptions.edgeUrl()).isEqualTo("https://p-edge");
    }

    @Test
    void the_profile_is_chosen_by_option_then_environment_then_the_files_current_one() throws Exception {
        profiles("{\"current\":\"a\",\"profiles\":{\"a\":{\"commandUrl\":\"http://a\"},\"b\":{\"commandUrl\":\"http://b\"},"
                + "\"c\":{\"commandUrl\":\"http://c\"}}}");
        assertThat(Connection.resolve(NONE, env, work).commandUrl()).isEqualTo("http://a");
        env.put("FLAGPLANE_CLI_PROFILE", "b");
        assertThat(Connection.resolve(NONE, env, work).commandUrl()).isEqualTo("http://b");
        assertThat(Connection.resolve(new Connection.Options("c", null, null, null, null, null, null), env, work).commandUrl())
                .isEqualTo("http://c");
    }

    @Test
    void the_config_file_can_be_moved_with_an_environment_variable_and_a_token_file_is_read() throws Exception {
        Path file = dir.resolve("elsewhere.json");
        Files.writeString(dir.resolve("token"), "fpt_file\n");
        Files.writeString(file, "{\"current\":\"x\",\"profiles\":{\"x\":{\"tokenFile\":\"" + dir.resolve("token") + "\"}}}");
        env.put("FLAGPLANE_CLI_CONFIG", file.toString());
        assertThat(Connection.resolve(NONE, env, work).token()).isEqualTo("fpt_file");
    }

    @Test
    void an_unknown_profile_named_on_the_command_line_is_a_usage_error_listing_the_profiles() throws Exception {
        profiles("{\"profiles\":{\"a\":{}}}");
        assertThatThrownBy(() -> Connection.resolve(new Connection.Options("zz", null, null, null, null, null, null), env, work))
                .isInstanceOf(CliException.class).hasMessageContaining("no profile named 'zz'").hasMessageContaining("[a]")
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void profile_add_use_and_list_write_the_config_file() {
        Run add = Run.of(env, work, "profile", "add", "prod", "--command-url", "https://flags.example.com", "-e", "production");
        assertThat(add.exit()).as(add.toString()).isZero();
        Run add2 = Run.of(env, work, "profile", "add", "stage", "--command-url", "https://stage.example.com");
        assertThat(add2.exit()).isZero();
        assertThat(Run.of(env, work, "profile", "use", "stage").exit()).isZero();
        Run list = Run.of(env, work, "profile", "list");
        assertThat(list.out()).contains("* stage").contains("  prod").contains("https://flags.example.com");
        Run show = Run.of(env, work, "profile", "show");
        assertThat(show.out()).contains("https://stage.example.com").contains("profile      stage");
    }
}
