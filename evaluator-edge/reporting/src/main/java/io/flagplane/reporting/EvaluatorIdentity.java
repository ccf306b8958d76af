package io.flagplane.reporting;

import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.FlagState;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.avro.SchemaNormalization;

/**
 * What every report of one evaluator process says about who sent it; fixed for the process.
 *
 * @param environments the environments served; {@code *} alone for every environment
 */
public record EvaluatorIdentity(String nodeId, EvaluatorKind kind, String host, List<String> environments,
                                String softwareVersion, String contractFingerprint, Instant startedAt) {

    /** The version of this build of Flagplane, or {@code unknown}. */
    public static final String SOFTWARE_VERSION = readVersion();

    /**
     * The CRC-64-AVRO fingerprint of the {@code FlagState} schema this build reads, as 16 hex
     * digits: two evaluators with the same fingerprint read flag-state alike.
     */
    public static final String CONTRACT_FINGERPRINT = String.format("%016x",
            SchemaNormalization.parsingFingerprint64(FlagState.getClassSchema()));

    public EvaluatorIdentity {
        environments = List.copyOf(environments);
    }

    /** This process, with the host name looked up and the build's version and contract fingerprint. */
    public static EvaluatorIdentity of(String nodeId, EvaluatorKind kind, List<String> environments, Instant startedAt) {
        return new EvaluatorIdentity(nodeId, kind, NodeIds.hostName(), environments, SOFTWARE_VERSION,
                CONTRACT_FINGERPRINT, startedAt);
    }

    private static String readVersion() {
        try (InputStream in = EvaluatorIdentity.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
