package io.flagplane.command.auth;

import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flagplane-token}: mints a command-service token and prints it once, with the entry to
 * put in the tokens file (which holds only the token's SHA-256).
 */
@Command(name = "flagplane-token", mixinStandardHelpOptions = true,
        description = "Mint a command-service API token and print its tokens-file entry.")
public final class TokenTool implements Callable<Integer> {

    @Option(names = "--id", required = true, description = "who the token is for, e.g. alice@example.com or ci-pipeline")
    String id;

    @Option(names = "--kind", defaultValue = "USER", description = "USER or SERVICE_TOKEN (default ${DEFAULT-VALUE})")
    ActorKind kind;

    @Option(names = "--grant", required = true, split = ",",
            description = "environment=role, e.g. production=viewer,staging=editor or *=admin")
    Map<String, String> grants = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Map<String, Role> roles = new LinkedHashMap<>();
        for (Map.Entry<String, String> grant : grants.entrySet()) {
            var role = Role.parse(grant.getValue());
            if (role.isEmpty()) {
                System.err.println("flagplane-token: role '" + grant.getValue() + "' is not viewer, editor or admin");
                return 2;
            }
            roles.put(grant.getKey(), role.get());
        }
        String token = TokenRegistry.newToken();
        System.out.println("token (shown once; keep it secret): " + token);
        System.out.println("tokens-file entry: " + TokenRegistry.entry(id, kind, roles, token));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TokenTool()).execute(args));
    }
}
