package io.flagplane.wire;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;

/**
 * Guards against Avro's "soft" union matching. When a writer's union holds a record type the
 * reader's union lacks (a newer event type read by an older consumer), Avro does not fail: it
 * decodes the record as the first reader branch whose fields it can fill, so an unknown
 * {@code ExperimentStarted} would silently become a {@code FlagEnabled} (an empty record
 * matches anything). This class finds, per writer/reader pair, the named writer branches with
 * no same-named reader branch, and finds them again in a decoded record, so that the record can
 * be refused instead of misread.
 */
final class UnknownBranchGuard {

    private UnknownBranchGuard() {
    }

    /** Full names of writer union branches that have no branch of the same name in the reader. */
    static Set<String> unknownBranches(Schema writer, Schema reader) {
        Set<String> unknown = new HashSet<>();
        walk(writer, reader, unknown, new HashSet<>());
        return unknown;
    }

    private static void walk(Schema w, Schema r, Set<String> unknown, Set<String> visited) {
        if (w.getType() == Schema.Type.UNION) {
            for (Schema branch : w.getTypes()) {
                Schema match = r.getType() == Schema.Type.UNION ? sameBranch(branch, r) : (sameKind(branch, r) ? r : null);
                if (match == null) {
                    if (isNamed(branch)) {
                        unknown.add(branch.getFullName());
                    }
                } else {
                    walk(branch, match, unknown, visited);
                }
            }
            return;
        }
        if (r.getType() == Schema.Type.UNION) {
            Schema match = sameBranch(w, r);
            if (match == null) {
                if (isNamed(w)) {
                    unknown.add(w.getFullName());
                }
            } else {
                walk(w, match, unknown, visited);
            }
            return;
        }
        switch (w.getType()) {
            case RECORD -> {
                if (r.getType() != Schema.Type.RECORD || !visited.add(w.getFullName() + "->" + r.getFullName())) {
                    return;
                }
                for (Schema.Field wf : w.getFields()) {
                    Schema.Field rf = readerField(r, wf);
                    if (rf != null) {
                        walk(wf.schema(), rf.schema(), unknown, visited);
                    }
                }
            }
            case ARRAY -> {
                if (r.getType() == Schema.Type.ARRAY) {
                    walk(w.getElementType(), r.getElementType(), unknown, visited);
                }
            }
            case MAP -> {
                if (r.getType() == Schema.Type.MAP) {
                    walk(w.getValueType(), r.getValueType(), unknown, visited);
                }
            }
            default -> {
                // primitives, enums and fixed hold no unions
            }
        }
    }

    private static Schema.Field readerField(Schema reader, Schema.Field writerField) {
        Schema.Field byName = reader.getField(writerField.name());
        if (byName != null) {
            return byName;
        }
        for (Schema.Field candidate : reader.getFields()) {
            if (candidate.aliases().contains(writerField.name())) {
                return candidate;
            }
        }
        return null;
    }

    private static Schema sameBranch(Schema writerBranch, Schema readerUnion) {
        for (Schema candidate : readerUnion.getTypes()) {
            if (sameKind(writerBranch, candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean sameKind(Schema w, Schema r) {
        if (w.getType() != r.getType()) {
            return false;
        }
        return !isNamed(w) || w.getFullName().equals(r.getFullName()) || r.getAliases().contains(w.getFullName());
    }

    private static boolean isNamed(Schema s) {
        return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM || s.getType() == Schema.Type.FIXED;
    }

    /** The first record inside {@code datum} (decoded with the writer's schema) whose type is unknown. */
    static Optional<String> findUnknown(Object datum, Set<String> unknown) {
        if (datum instanceof GenericContainer container && unknown.contains(container.getSchema().getFullName())) {
            return Optional.of(container.getSchema().getFullName());
        }
        if (datum instanceof GenericRecord record) {
            for (Schema.Field f : record.getSchema().getFields()) {
                Optional<String> found = findUnknown(record.get(f.pos()), unknown);
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (datum instanceof Collection<?> items) {
            for (Object item : items) {
                Optional<String> found = findUnknown(item, unknown);
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (datum instanceof Map<?, ?> map) {
            for (Object value : map.values()) {
                Optional<String> found = findUnknown(value, unknown);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
