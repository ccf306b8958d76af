package io.flagplane.reporting;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an evaluator's node id comes from when none is configured. The id is the record key on
 * {@code evaluator-reports} and what the registry of evaluators is keyed by, so it should outlive
 * a restart where it can: an edge node with a snapshot file keeps a generated id in a file beside
 * it; one without, on a fixed port, is {@code edge-<host>:<port>}; anything else (an SDK client, a
 * node on an ephemeral port) gets a random id per process and shows up as a new evaluator when it
 * restarts (the old one is gone after its STOPPING report, or after missed heartbeats).
 */
public final class NodeIds {

    private static final Logger LOG = LoggerFactory.getLogger(NodeIds.class);
    /** Printable, no spaces: it is a record key and shows up in URLs and logs. */
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._:@/-]{1,200}");

    private NodeIds() {
    }

    /** The id, if it may be one; otherwise an exception naming the rule. */
    public static String checked(String id) {
        if (!LEGAL.matcher(id).matches()) {
            throw new IllegalArgumentException("a node id is 1 to 200 letters, digits and . _ : @ / -, not '" + id + "'");
        }
        return id;
    }

    /** An edge node's id: the configured one, else kept beside the snapshot file, else host and port, else random. */
    public static String forEdge(String configured, Path snapshotFile, String host, int port) {
        if (configured != null) {
            return configured;
        }
        if (snapshotFile != null) {
            return keptBeside(snapshotFile);
        }
        return port > 0 ? checked("edge-" + sanitized(host) + ":" + port) : random("edge");
    }

    /** An SDK client's id: the configured one, else random for this process. */
    public static String forSdk(String configured) {
        return configured != null ? configured : random("sdk");
    }

    /** This machine's host name, or {@code unknown-host} if it cannot be found. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "unknown-host";
        }
    }

    static String random(String kind) {
        return kind + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** Read from {@code <snapshot>.node-id}, or made and written there; a file that cannot be read or written is logged and replaced by a fresh id. */
    static String keptBeside(Path snapshotFile) {
        Path file = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".node-id");
        try {
            if (Files.exists(file)) {
                String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (LEGAL.matcher(kept).matches()) {
                    return kept;
                }
                LOG.warn("ignoring the node id in {}: not a valid node id", file);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the node id in {}: {}", file, e.getMessage());
        }
        String made = random("edge");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, made + "\n", StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot keep the node id in {} (a restart will report under a new id): {}", file, e.getMessage());
        }
        return made;
    }

    private static String sanitized(String host) {
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.length() > 150 ? cleaned.substring(0, 150) : cleaned;
    }
}
