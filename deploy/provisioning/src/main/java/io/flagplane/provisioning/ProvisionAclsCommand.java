package io.flagplane.provisioning;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientErrors;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.contract.Topics;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.SecurityUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flagplane acls}: creates the least-privilege ACLs of each Flagplane principal
 * ({@link FlagplaneAcls}) on a cluster whose brokers run an authorizer. Creating an ACL that
 * exists changes nothing, so it can be run again after any change. Exit code 0 when every ACL is
 * in place (or, with {@code --dry-run}, was printed), 2 on bad arguments or a refusal.
 */
@Command(name = "flagplane-acls", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create the least-privilege ACLs of each Flagplane service's principal (docs/SECURITY.md).",
            "Name the principal of each service you run; the others are left alone. Run it as a principal that may",
            "create ACLs (a super user, or one with ALTER on the cluster). The Kafka client pass-through",
            "(FLAGPLANE_KAFKA_CLIENT_*, or FLAGPLANE_CONFIG=<file>) secures its own connection, as for every service."},
        footer = {"", "Examples:",
            "  flagplane acls --dry-run --principal-command User:flagplane-command --principal-edge User:flagplane-edge",
            "  FLAGPLANE_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL FLAGPLANE_KAFKA_CLIENT_SASL_MECHANISM=SCRAM-SHA-512 \\",
            "  FLAGPLANE_KAFKA_CLIENT_SASL_JAAS_CONFIG='org.apache.kafka.common.security.scram.ScramLoginModule required \\",
            "      username=\"admin\" password=\"${file:/etc/flagplane/admin.properties:password}\";' \\",
            "  FLAGPLANE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION=/etc/flagplane/tls/ca.p12 \\",
            "  flagplane acls --bootstrap-server kafka-1:9093 \\",
            "      --principal-command User:flagplane-command --principal-projection User:flagplane-projection \\",
            "      --principal-edge User:flagplane-edge --principal-registry User:flagplane-registry \\",
            "      --principal-sdk User:checkout-service --principal-sdk User:billing-service"})
public final class ProvisionAclsCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-server"}, description = "Kafka bootstrap servers (required unless --dry-run)")
    String bootstrapServers;

    @Option(names = "--principal-command", paramLabel = "<principal>", description = "the command-service's, e.g. User:flagplane-command")
    String command;

    @Option(names = "--principal-projection", paramLabel = "<principal>", description = "the projection-service's")
    String projection;

    @Option(names = "--principal-edge", paramLabel = "<principal>", description = "an edge node's (repeat for several)")
    List<String> edges = new ArrayList<>();

    @Option(names = "--principal-sdk", paramLabel = "<principal>", description = "an application's using the Java SDK (repeat for several)")
    List<String> sdks = new ArrayList<>();

    @Option(names = "--principal-registry", paramLabel = "<principal>", description = "the embedded schema registry's")
    String registry;

    @Option(names = "--principal-replay", paramLabel = "<principal>", description = "whoever runs flagplane replay")
    String replay;

    @Option(names = "--topic-prefix", defaultValue = "", description = "the installation's topic prefix (default none)")
    String topicPrefix;

    @Option(names = "--schema-topic", defaultValue = Topics.SCHEMAS, description = "the registry's topic (default ${DEFAULT-VALUE})")
    String schemaTopic;

    @Option(names = "--transactional-id", defaultValue = "flagplane-command-service",
            description = "command.transactional.id, also its election's group (default ${DEFAULT-VALUE})")
    String transactionalId;

    @Option(names = "--application-id", defaultValue = "flagplane-projection",
            description = "projection.application.id (default ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--dry-run", description = "print the ACLs and change nothing")
    boolean dryRun;

    @Option(names = "--command-config", description = "extra admin client properties, key=value (over the pass-through)", split = ",")
    Map<String, String> extra = Map.of();

    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;

    public ProvisionAclsCommand() {
        this(System.getenv(), System.out, System.err);
    }

    /** @param environment where the Kafka client pass-through ({@code FLAGPLANE_KAFKA_CLIENT_*}) is read from */
    public ProvisionAclsCommand(Map<String, String> environment, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.out = out;
        this.err = err;
    }

    /** Every ACL the named principals get, in role order. */
    List<AclBinding> bindings() {
        FlagplaneAcls.Names names = FlagplaneAcls.Names.of(topicPrefix, schemaTopic, transactionalId, applicationId);
        List<AclBinding> bindings = new ArrayList<>();
        add(bindings, FlagplaneAcls.Role.COMMAND, command, names);
        add(bindings, FlagplaneAcls.Role.PROJECTION, projection, names);
        edges.forEach(p -> add(bindings, FlagplaneAcls.Role.EDGE, p, names));
        sdks.forEach(p -> add(bindings, FlagplaneAcls.Role.SDK, p, names));
        add(bindings, FlagplaneAcls.Role.REGISTRY, registry, names);
        add(bindings, FlagplaneAcls.Role.REPLAY, replay, names);
        return bindings;
    }

    private static void add(List<AclBinding> bindings, FlagplaneAcls.Role role, String principal, FlagplaneAcls.Names names) {
        if (principal == null) {
            return;
        }
        try {
            SecurityUtils.parseKafkaPrincipal(principal);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(new ProvisionAclsCommand()),
                    "the " + role.name().toLowerCase(java.util.Locale.ROOT) + " principal must look like User:<name>, not '"
                            + principal + "'");
        }
        FlagplaneAcls.grants(role, names).forEach(grant -> bindings.add(grant.binding(principal)));
    }

    @Override
    public Integer call() {
        List<AclBinding> bindings;
        try {
            bindings = bindings();
        } catch (CommandLine.ParameterException e) {
            err.println("flagplane-acls: " + e.getMessage());
            return 2;
        }
        if (bindings.isEmpty()) {
            err.println("flagplane-acls: name at least one principal (--principal-command, --principal-edge, ...); see --help");
            return 2;
        }
        for (AclBinding binding : bindings) {
            out.printf("ALLOW %-28s %-16s %-9s %-32s %s%n", binding.entry().principal(), binding.entry().operation(),
                    binding.pattern().resourceType(), binding.pattern().name(),
                    binding.pattern().patternType() == org.apache.kafka.common.resource.PatternType.PREFIXED ? "(prefixed)" : "");
        }
        if (dryRun) {
            out.println(bindings.size() + " ACLs; dry run, nothing changed");
            return 0;
        }
        if (bootstrapServers == null) {
            err.println("flagplane-acls: --bootstrap-server is required (or --dry-run)");
            return 2;
        }
        KafkaClientSettings kafka;
        try {
            kafka = KafkaClientSettings.from(Settings.load(environment, Map.of("kafka.bootstrap.servers", bootstrapServers)));
        } catch (SettingsException e) {
            err.println("flagplane-acls: " + e.getMessage());
            return 2;
        }
        Map<String, Object> config = kafka.applyTo(ClientRole.ADMIN, new HashMap<>());
        config.putAll(extra);
        if (SecurityProtocol.PLAINTEXT.name.equals(String.valueOf(config.getOrDefault("security.protocol", "PLAINTEXT")))) {
            err.println("flagplane-acls: note: connecting without security (PLAINTEXT); on a secured cluster set "
                    + "FLAGPLANE_KAFKA_CLIENT_SECURITY_PROTOCOL and friends");
        }
        try (Admin admin = Admin.create(config)) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
            out.println(bindings.size() + " ACLs in place on " + bootstrapServers);
            return 0;
        } catch (ExecutionException e) {
            err.println("flagplane-acls: " + explain(e.getCause(), kafka));
            return 2;
        } catch (TimeoutException e) {
            err.println("flagplane-acls: Kafka at " + bootstrapServers + " did not answer within 30 s");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    private static String explain(Throwable cause, KafkaClientSettings kafka) {
        if (cause instanceof SecurityDisabledException) {
            return "the brokers run no authorizer, so there are no ACLs to create (set authorizer.class.name="
                    + "org.apache.kafka.metadata.authorizer.StandardAuthorizer on every broker and controller)";
        }
        if (cause instanceof ClusterAuthorizationException) {
            return "this principal may not create ACLs: run it as a super user or one with ALTER on the cluster ("
                    + cause.getMessage() + ")";
        }
        String why = KafkaClientErrors.explain(cause, kafka, ClientRole.ADMIN);
        return why != null ? why : String.valueOf(cause);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProvisionAclsCommand()).execute(args));
    }
}
