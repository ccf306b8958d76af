package io.flagplane.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.flagplane.broker.KafkaBrokerCommand;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.broker.CertificatesCommand;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.provisioning.ProvisionAclsCommand;
import io.flagplane.provisioning.ProvisionTopicsCommand;
import io.flagplane.provisioning.ProvisionUsersCommand;
import io.flagplane.registry.server.SchemaRegistryCommand;
import io.flagplane.settings.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Keeps the files under {@code deploy/cluster} honest, since nothing here can build or run them
 * (no Docker): every container the compose file and the Kubernetes manifests start runs a service
 * the launcher knows, and every {@code FLAGPLANE_*} variable it passes is a setting that service
 * reads, with a value the service's own configuration accepts. The tool containers' arguments
 * parse as the tool's options, and the only settings a tool is given are the Kafka client
 * pass-through's. Secrets the files refer to ({@code ${dir:/run/secrets:…}}) exist only where the
 * containers run: a stand-in is read for each, after checking the reference names a mounted path.
 */
class DeploymentFilesTest {

    private static final Path CLUSTER = Path.of(System.getProperty("cluster.dir", "../cluster"));
    private static final Path LAUNCHER = Path.of("src/dist/bin/flagplane");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Read by the launcher or by Settings itself, not by a service's configuration. */
    private static final Set<String> NOT_SETTINGS = Set.of("FLAGPLANE_JAVA_OPTS", "FLAGPLANE_CONFIG");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");
    /** The tools a container may run, each a picocli command. */
    private static final Map<String, Supplier<Object>> TOOLS = Map.of(
            "topics", ProvisionTopicsCommand::new,
            "acls", ProvisionAclsCommand::new,
            "users", ProvisionUsersCommand::new,
            "certs", CertificatesCommand::new);
    /** Where the files mount secrets; a secret reference must point into one of them. */
    private static final List<String> SECRET_MOUNTS = List.of("/run/secrets", "/etc/flagplane-kafka", "/etc/flagplane-kafka-admin",
            "/etc/flagplane-kafka-tls", "/etc/flagplane-registry", "/etc/flagplane-registry-tls");

    /** Each long-running service's configuration, built the way its main builds it. */
    private static final Map<String, Consumer<Settings>> SERVICES = Map.of(
            "broker", s -> {
                KafkaBrokerCommand.settings(s);
                KafkaBrokerCommand.readyTimeout(s);
            },
            "registry", SchemaRegistryCommand::settings,
            "command", CommandServiceConfig::from,
            "projection", ProjectionConfig::from,
            "edge", EdgeConfig::from);

    /** One container of a deployment file: the service it runs, its arguments and its environment. */
    record Container(String where, String service, List<String> args, Map<String, String> env) {
        @Override
        public String toString() {
            return where + " (" + service + ")";
        }
    }

    static Stream<Container> containers() throws IOException {
        List<Container> all = new ArrayList<>(compose());
        all.addAll(kubernetes());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void every_container_passes_only_settings_its_service_reads_with_valid_values(Container container) {
        Map<String, String> variables = flagplaneVariables(container);
        Settings settings = Settings.load(variables, Map.of()).readingSecretsWith(DeploymentFilesTest::standIn);
        if (TOOLS.containsKey(container.service())) {
            assertThatCode(() -> new CommandLine(TOOLS.get(container.service()).get()).parseArgs(container.args().toArray(String[]::new)))
                    .as("the arguments of %s", container).doesNotThrowAnyException();
            assertThat(variables.keySet()).as("a tool takes options, and the Kafka client pass-through")
                    .allMatch(name -> name.startsWith("FLAGPLANE_KAFKA_CLIENT_"));
            assertThatCode(() -> KafkaClientSettings.from(settings)).as("the pass-through of %s", container).doesNotThrowAnyException();
            return;
        }
        assertThat(SERVICES).as("%s runs a service the launcher starts", container).containsKey(container.service());

        assertThatCode(() -> SERVICES.get(container.service()).accept(settings))
                .as("the settings of %s", container).doesNotThrowAnyException();

        Set<String> read = new TreeSet<>();
        settings.asked().forEach(name -> read.add(Settings.environmentVariable(name)));
        assertThat(read).as("settings %s reads", container.service()).containsAll(variables.keySet());
    }

    @Test
    void the_files_hold_the_whole_topology() throws IOException {
        assertThat(compose()).extracting(Container::service).containsExactlyInAnyOrder("certs", "broker", "broker", "broker",
                "topics", "users", "acls", "registry", "command", "command", "projection", "projection", "edge", "edge", "edge");
        assertThat(kubernetes()).extracting(Container::service).containsExactlyInAnyOrder("broker", "topics", "users", "acls",
                "registry", "command", "projection", "edge");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void every_service_connects_to_kafka_over_sasl_ssl_with_a_secret_it_reads_from_a_file(Container container) {
        Map<String, String> variables = flagplaneVariables(container);
        if (container.service().equals("certs")) {
            return;
        }
        if (container.service().equals("broker")) {
            assertThat(variables).containsEntry("FLAGPLANE_BROKER_SECURITY", "sasl_ssl");
            assertThat(variables.get("FLAGPLANE_BROKER_SUPER_USER_PASSWORD")).startsWith("${dir:");
            return;
        }
        assertThat(variables).as("%s", container).containsEntry("FLAGPLANE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL");
        assertThat(variables.get("FLAGPLANE_KAFKA_CLIENT_SASL_JAAS_CONFIG")).as("%s", container)
                .containsPattern("password=\"\\$\\{dir:[^}]+}\";$");
    }

    /** What a secret reference reads where the containers run; here, a stand-in once the reference is checked. */
    private static String standIn(String provider, String path, String key) {
        assertThat(provider).as("secrets are mounted files, read with ${dir:…}").isEqualTo("dir");
        assertThat(SECRET_MOUNTS).as("the directory of ${dir:%s:%s}", path, key).contains(path);
        return "stand-in-" + key;
    }

    @Test
    void every_service_of_the_launcher_has_its_main_class() throws Exception {
        Matcher m = Pattern.compile("(?m)^\\s+(\\w+)\\) echo (io\\.flagplane\\.[\\w.]+) ;;$")
                .matcher(Files.readString(LAUNCHER));
        Map<String, String> classes = new LinkedHashMap<>();
        while (m.find()) {
            classes.put(m.group(1), m.group(2));
        }
        assertThat(classes.keySet()).containsExactlyInAnyOrder("broker", "registry", "command", "projection", "edge", "console",
                "local", "topics", "replay", "token", "acls", "users", "certs", "cli");
        for (String name : classes.values()) {
            assertThat(Class.forName(name).getMethod("main", String[].class)).as(name).isNotNull();
        }
    }

    private static Map<String, String> flagplaneVariables(Container container) {
        Map<String, String> variables = new LinkedHashMap<>();
        container.env().forEach((name, value) -> {
            if (name.startsWith("FLAGPLANE_") && !NOT_SETTINGS.contains(name)) {
                variables.put(name, value);
            }
        });
        return variables;
    }

    private static List<Container> compose() throws IOException {
        JsonNode services = YAML.readTree(CLUSTER.resolve("compose.yaml").toFile()).path("services");
        List<Container> containers = new ArrayList<>();
        services.fields().forEachRemaining(service -> {
            List<String> command = strings(service.getValue().path("command"));
            Map<String, String> env = new LinkedHashMap<>();
            // compose reads $$ as a literal $ (how the file keeps ${dir:…} references from its own interpolation)
            service.getValue().path("environment").fields().forEachRemaining(e -> env.put(e.getKey(),
                    e.getValue().asText().replace("$$", "$")));
            containers.add(new Container("compose.yaml " + service.getKey(), command.get(0), command.subList(1, command.size()), env));
        });
        return containers;
    }

    /**
     * Containers of the Deployments, StatefulSets and Jobs. A value from the downward API (a pod's
     * name or index) is not in the file: it stands in as "0", which is what the first pod gets;
     * {@code $(NAME)} references are expanded as Kubernetes does.
     */
    private static List<Container> kubernetes() throws IOException {
        List<Container> containers = new ArrayList<>();
        try (Stream<Path> files = Files.list(CLUSTER.resolve("k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
                    while (documents.hasNext()) {
                        JsonNode document = documents.next();
                        for (JsonNode container : document.path("spec").path("template").path("spec").path("containers")) {
                            Map<String, String> env = new LinkedHashMap<>();
                            for (JsonNode variable : container.path("env")) {
                                String value = variable.has("valueFrom") ? "0" : variable.path("value").asText();
                                env.put(variable.path("name").asText(), expand(value, env));
                            }
                            List<String> args = strings(container.path("args"));
                            containers.add(new Container(file.getFileName() + " " + document.path("kind").asText() + "/"
                                    + document.path("metadata").path("name").asText(), args.get(0), args.subList(1, args.size()), env));
                        }
                    }
                }
            }
        }
        return containers;
    }

    private static String expand(String value, Map<String, String> earlier) {
        return REFERENCE.matcher(value).replaceAll(r -> Matcher.quoteReplacement(earlier.getOrDefault(r.group(1), r.group())));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
