package io.flagplane.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flagplane certs}: a throwaway CA and certificates for a secured cluster on one machine
 * ({@link DevCertificates}). Not for production, where certificates come from your own CA.
 */
@Command(name = "flagplane-certs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make a development CA and certificates signed by it, with the JDK's keytool (files kept if present):",
            "ca.pem and truststore.p12 (the CA), <server>.p12 (the brokers' key and certificate), <client>.p12 per client",
            "certificate (mutual TLS; the CN is the principal's name). For a cluster on one machine and for tests; use",
            "your own CA in production."},
        footer = {"", "Example:", "  flagplane certs --dir tls --password-file secrets/tls-password --host kafka-1 --host kafka-2 --host kafka-3"})
public final class CertificatesCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "where the files go")
    Path dir;

    @Option(names = "--password", description = "the password of every store made")
    String password;

    @Option(names = "--password-file", description = "a file holding that password (a mounted secret)")
    Path passwordFile;

    @Option(names = "--server-name", defaultValue = "broker", description = "the server certificate's name (default ${DEFAULT-VALUE})")
    String serverName;

    @Option(names = "--host", description = "a host name or IP address the server certificate names (repeat; default 127.0.0.1, localhost)")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--client", description = "a client certificate to make (repeat), e.g. flagplane-edge")
    List<String> clients = new ArrayList<>();

    @Override
    public Integer call() throws java.io.IOException {
        if ((password == null) == (passwordFile == null)) {
            System.err.println("flagplane-certs: give --password or --password-file (one of them)");
            return 2;
        }
        if (passwordFile != null) {
            password = java.nio.file.Files.readString(passwordFile).strip();
        }
        List<String> names = hosts.isEmpty() ? List.of("127.0.0.1", "localhost") : hosts;
        DevCertificates made = DevCertificates.create(dir, password, serverName, names, clients);
        System.out.println("CA: " + made.caPem() + " (trust store " + made.truststore() + ")");
        System.out.println(serverName + ": " + made.keystore(serverName) + " for " + names);
        clients.forEach(c -> System.out.println(c + ": " + made.keystore(c)));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CertificatesCommand()).execute(args));
    }
}
