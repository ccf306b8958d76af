package io.flagplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FlagplaneAclsTest {

    private static final FlagplaneAcls.Names NAMES = FlagplaneAcls.Names.defaults();

    private static List<String> writable(FlagplaneAcls.Role role) {
        return FlagplaneAcls.grants(role, NAMES).stream()
                .filter(g -> g.type() == ResourceType.TOPIC && (g.operation() == AclOperation.WRITE || g.operation() == AclOperation.ALL))
                .map(FlagplaneAcls.Grant::name).toList();
    }

    @Test
    void only_the_command_service_writes_flag_events_and_only_the_projection_writes_the_state_topics() {
        assertThat(writable(FlagplaneAcls.Role.COMMAND)).containsExactly("flag-events");
        assertThat(writable(FlagplaneAcls.Role.PROJECTION)).contains("flag-state", "segment-state", "release-signals")
                .doesNotContain("flag-events");
        for (FlagplaneAcls.Role reader : List.of(FlagplaneAcls.Role.EDGE, FlagplaneAcls.Role.SDK)) {
            assertThat(writable(reader)).as("%s writes", reader)
                    .containsExactlyInAnyOrder("evaluator-reports", "flag-exposures", "tracking-events");
        }
        assertThat(writable(FlagplaneAcls.Role.REGISTRY)).containsExactly("_flagplane_schemas");
    }

    @Test
    void no_role_gets_anything_on_the_cluster_and_only_the_command_service_a_transactional_id() {
        for (FlagplaneAcls.Role role : FlagplaneAcls.Role.values()) {
            assertThat(FlagplaneAcls.grants(role, NAMES)).as("%s", role).noneMatch(g -> g.type() == ResourceType.CLUSTER);
            assertThat(FlagplaneAcls.grants(role, NAMES).stream().anyMatch(g -> g.type() == ResourceType.TRANSACTIONAL_ID))
                    .as("%s has a transactional id", role).isEqualTo(role == FlagplaneAcls.Role.COMMAND);
        }
    }

    @Test
    void a_topic_prefix_and_renamed_ids_reach_every_acl() {
        FlagplaneAcls.Names names = FlagplaneAcls.Names.of("acme.", "acme._schemas", "acme-writer", "acme-projection");

        assertThat(FlagplaneAcls.grants(FlagplaneAcls.Role.COMMAND, names)).extracting(FlagplaneAcls.Grant::name)
                .containsOnly("acme.flag-events", "acme.command-leader", "acme.release-signals", "acme-writer");
        assertThat(FlagplaneAcls.grants(FlagplaneAcls.Role.EDGE, names)).extracting(FlagplaneAcls.Grant::name)
                .allMatch(name -> name.startsWith("acme."));
        assertThat(FlagplaneAcls.grants(FlagplaneAcls.Role.PROJECTION, names)).extracting(FlagplaneAcls.Grant::name)
                .contains("acme-projection-", "acme-projection", "acme.flag-exposures");
    }

    @Test
    void the_table_in_docs_security_is_the_one_the_code_grants() throws Exception {
        Path doc = Path.of(System.getProperty("docs.dir", "../../docs")).resolve("SECURITY.md");
        String text = Files.readString(doc);
        String begin = "<!-- acl-table:begin -->\n";
        String end = "<!-- acl-table:end -->";
        String table = text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end));

        assertThat(table).isEqualTo(FlagplaneAcls.markdownTable(NAMES));
    }

    @Test
    void the_command_prints_each_principals_acls_on_a_dry_run_and_refuses_a_malformed_principal() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProvisionAclsCommand command = new ProvisionAclsCommand(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit = new CommandLine(command).execute("--dry-run", "--principal-command", "User:cmd", "--principal-edge", "User:edge-1",
                "--principal-edge", "User:edge-2");

        assertThat(exit).isZero();
        List<AclBinding> bindings = command.bindings();
        assertThat(bindings).hasSize(FlagplaneAcls.grants(FlagplaneAcls.Role.COMMAND, NAMES).size()
                + 2 * FlagplaneAcls.grants(FlagplaneAcls.Role.EDGE, NAMES).size());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ALLOW User:cmd").contains("TRANSACTIONAL_ID")
                .contains("flagplane-command-service").contains("ALLOW User:edge-2").contains("dry run, nothing changed");

        int bad = new CommandLine(new ProvisionAclsCommand(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute("--dry-run", "--principal-edge", "edge");
        assertThat(bad).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("must look like User:<name>");
    }
}
