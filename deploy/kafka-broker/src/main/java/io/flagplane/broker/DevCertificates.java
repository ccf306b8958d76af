package io.flagplane.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway certificate authority and the certificates signed by it, for a secured cluster on
 * one machine ({@code flagplane-cluster start --secure}) and for the tests against secured brokers:
 * made with the JDK's own {@code keytool}, so no library is needed. Everything is in one directory:
 * {@code ca.pem} and {@code truststore.p12} (the CA, for clients and brokers to trust),
 * {@code ca-key.p12} (the CA's key: keep it away from everything else), and one
 * {@code <name>.p12} per server or client (its key and the certificate the CA signed, with the
 * CA in the chain). Every store has the one password given. Made once: files already there are
 * kept (a restarted cluster keeps its certificates). Not for production: use your own CA there.
 */
public final class DevCertificates {

    private static final int VALIDITY_DAYS = 30;

    private final Path dir;
    private final String password;

    private DevCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /**
     * Makes (or finds) the CA, a server certificate for {@code serverName} naming {@code hosts}
     * (IP addresses or DNS names, checked by clients), and a client certificate per client name
     * (its CN is the name; a broker maps it to {@code User:<name>}).
     */
    public static DevCertificates create(Path dir, String password, String serverName, List<String> hosts, List<String> clients) {
        DevCertificates certificates = new DevCertificates(dir, password);
        try {
            Files.createDirectories(dir);
            certificates.authority();
            certificates.signed(serverName, hosts);
            for (String client : clients) {
                certificates.signed(client, List.of());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make certificates in " + dir, e);
        }
        return certificates;
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** The CA in a PKCS12 trust store. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** {@code name}'s key and certificate chain in a PKCS12 key store. */
    public Path keystore(String name) {
        return dir.resolve(name + ".p12");
    }

    public String password() {
        return password;
    }

    private void authority() throws IOException {
        Path key = dir.resolve("ca-key.p12");
        if (!Files.exists(key)) {
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=Flagplane development CA", "-ext", "bc:c", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-validity", String.valueOf(VALIDITY_DAYS), "-keystore", key.toString(),
                    "-storetype", "PKCS12", "-storepass", password);
            Files.deleteIfExists(caPem());
            Files.deleteIfExists(truststore());
        }
        if (!Files.exists(caPem())) {
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", key.toString(), "-storepass", password,
                    "-file", caPem().toString());
        }
        if (!Files.exists(truststore())) {
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem().toString(), "-keystore",
                    truststore().toString(), "-storetype", "PKCS12", "-storepass", password);
        }
    }

    private void signed(String name, List<String> hosts) throws IOException {
        Path store = keystore(name);
        if (Files.exists(store)) {
            return;
        }
        Path partial = dir.resolve(name + ".p12.partial");
        Path request = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".crt");
        Files.deleteIfExists(partial);
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name + ",O=Flagplane", "-keyalg", "EC", "-groupname",
                "secp256r1", "-validity", String.valueOf(VALIDITY_DAYS), "-keystore", partial.toString(), "-storetype",
                "PKCS12", "-storepass", password);
        keytool("-certreq", "-alias", name, "-keystore", partial.toString(), "-storepass", password, "-file", request.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", dir.resolve("ca-key.p12").toString(),
                "-storepass", password, "-infile", request.toString(), "-outfile", certificate.toString(), "-rfc",
                "-validity", String.valueOf(VALIDITY_DAYS)));
        if (!hosts.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (String host : hosts) {
                names.add((host.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + host);
            }
            sign.addAll(List.of("-ext", "SAN=" + String.join(",", names), "-ext", "EKU=serverAuth,clientAuth"));
        } else {
            sign.addAll(List.of("-ext", "EKU=clientAuth"));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem().toString(), "-keystore", partial.toString(),
                "-storepass", password);
        keytool("-importcert", "-alias", name, "-file", certificate.toString(), "-keystore", partial.toString(),
                "-storepass", password);
        Files.move(partial, store);
        Files.deleteIfExists(request);
        Files.deleteIfExists(certificate);
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-XX:TieredStopAtLevel=1");   // a short-lived JVM: about half the start-up time
        command.add("-J-XX:+UseSerialGC");
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool (it comes with the JDK: is java.home a JDK?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
