package io.flagplane.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}.
 * BACKWARD: the new schema reads data written with the old; FORWARD: the old reads the new;
 * FULL: both; the {@code _TRANSITIVE} levels check every earlier version, the others only the
 * latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    public static Optional<CompatibilityLevel> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Why {@code candidate} may not follow {@code earlier} (oldest first) under this level; empty
     * when it may.
     */
    public List<String> violations(Schema candidate, List<Schema> earlier) {
        List<String> messages = new ArrayList<>();
        if (earlier.isEmpty() || this == NONE) {
            return messages;
        }
        List<Schema> toCheck = transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
        for (Schema previous : toCheck) {
            if (newReadsOld) {
                describe(candidate, previous, "the new schema cannot read data written with an earlier one", messages);
            }
            if (oldReadsNew) {
                describe(previous, candidate, "an earlier schema cannot read data written with the new one", messages);
            }
        }
        return messages;
    }

    private static void describe(Schema reader, Schema writer, String what, List<String> messages) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility incompatibility : result.getIncompatibilities()) {
            messages.add(what + ": " + incompatibility.getType() + " at " + incompatibility.getLocation()
                    + ": " + incompatibility.getMessage());
        }
    }
}
