package io.flagplane.registry;

import io.flagplane.registry.RegistryRecord.CompatibilitySet;
import io.flagplane.registry.RegistryRecord.SchemaRegistered;
import io.flagplane.registry.SchemaRegistryException.ErrorCodes;
import io.flagplane.registry.SchemaRegistryException.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The semantics of a Confluent-compatible registry for Avro: subjects with numbered versions,
 * global schema ids (one id per distinct schema, shared across subjects), compatibility levels
 * (global default BACKWARD, overridable per subject) enforced on registration.
 *
 * <p>Not thread-safe: its owners ({@link InMemorySchemaRegistry}, the embedded server)
 * serialize access. Changes happen only through {@link #apply}, so a persistent owner can store a
 * {@link RegistryRecord} first and apply it after.
 */
public final class SchemaRegistryState {

    private record Version(int version, int id) {
    }

    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<Integer, String> textById = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    /** Parses an Avro schema, or throws 42201. */
    public static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw SchemaRegistryException.invalidSchema("the schema is empty", null);
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (SchemaParseException | org.apache.avro.AvroTypeException e) {
            throw SchemaRegistryException.invalidSchema(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw SchemaRegistryException.invalidSchema(String.valueOf(e.getMessage()), e);
        }
    }

    /** What registering a schema would do: find it, or create the record to store. */
    public sealed interface Registration {
        RegisteredSchema schema();
    }

    /** The schema is already a version of the subject; nothing to store. */
    public record Existing(RegisteredSchema schema) implements Registration {
    }

    /** The schema becomes a new version: store {@link #record()}, then {@link #apply} it. */
    public record Created(RegisteredSchema schema, SchemaRegistered record) implements Registration {
    }

    /** Decides a registration; throws 42201 for a bad schema and 409 for an incompatible one. */
    public Registration prepareRegistration(String subject, String schemaText) {
        Schema schema = parse(schemaText);
        String canonical = schema.toString();
        Optional<RegisteredSchema> existing = find(subject, canonical);
        if (existing.isPresent()) {
            return new Existing(existing.get());
        }
        List<String> violations = effectiveLevel(subject).violations(schema, schemasOf(subject));
        if (!violations.isEmpty()) {
            throw new SchemaRegistryException(Kind.INCOMPATIBLE, 409, ErrorCodes.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject '" + subject
                            + "' (" + effectiveLevel(subject) + "): " + String.join("; ", violations));
        }
        int id = idByCanonical.getOrDefault(canonical, maxId + 1);
        List<Version> versions = subjects.getOrDefault(subject, List.of());
        int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        SchemaRegistered record = new SchemaRegistered(subject, version, id, canonical);
        return new Created(new RegisteredSchema(subject, version, id, canonical), record);
    }

    /** Applies a stored change. Replaying the same records in the same order rebuilds the same state. */
    public void apply(RegistryRecord record) {
        if (record instanceof SchemaRegistered r) {
            Schema schema = parse(r.schema());
            List<Version> versions = subjects.computeIfAbsent(r.subject(), s -> new ArrayList<>());
            if (versions.stream().noneMatch(v -> v.version() == r.version())) {
                versions.add(new Version(r.version(), r.id()));
                versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
            }
            schemaById.putIfAbsent(r.id(), schema);
            textById.putIfAbsent(r.id(), r.schema());
            idByCanonical.putIfAbsent(schema.toString(), r.id());
            maxId = Math.max(maxId, r.id());
        } else if (record instanceof CompatibilitySet c) {
            if (c.subject() == null) {
                globalLevel = c.level();
            } else {
                subjectLevels.put(c.subject(), c.level());
            }
        }
    }

    /** The version of {@code subject} that holds this schema; 40401 / 40403 otherwise. */
    public RegisteredSchema lookup(String subject, String schemaText) {
        if (!subjects.containsKey(subject)) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        String canonical = parse(schemaText).toString();
        return find(subject, canonical)
                .orElseThrow(() -> SchemaRegistryException.schemaNotFound("not registered under subject '" + subject + "'"));
    }

    private Optional<RegisteredSchema> find(String subject, String canonical) {
        Integer id = idByCanonical.get(canonical);
        if (id == null) {
            return Optional.empty();
        }
        for (Version v : subjects.getOrDefault(subject, List.of())) {
            if (v.id() == id) {
                return Optional.of(new RegisteredSchema(subject, v.version(), id, textById.get(id)));
            }
        }
        return Optional.empty();
    }

    public List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    public List<Integer> versions(String subject) {
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        return versions.stream().map(Version::version).toList();
    }

    /**
     * One version of a subject. {@code versionSpec} is a positive number, {@code latest} or
     * {@code -1}; anything else is 42202.
     */
    public RegisteredSchema version(String subject, String versionSpec) {
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        int wanted = parseVersion(versionSpec);
        Version found = null;
        if (wanted == -1) {
            found = versions.get(versions.size() - 1);
        } else {
            for (Version v : versions) {
                if (v.version() == wanted) {
                    found = v;
                }
            }
        }
        if (found == null) {
            throw SchemaRegistryException.versionNotFound(subject, versionSpec);
        }
        return new RegisteredSchema(subject, found.version(), found.id(), textById.get(found.id()));
    }

    private static int parseVersion(String versionSpec) {
        if ("latest".equalsIgnoreCase(versionSpec)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(versionSpec);
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new SchemaRegistryException(Kind.INVALID, 422, ErrorCodes.INVALID_VERSION,
                "The specified version '" + versionSpec + "' is not a valid version id. "
                        + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    public Schema schema(int id) {
        Schema schema = schemaById.get(id);
        if (schema == null) {
            throw SchemaRegistryException.schemaNotFound("no schema with id " + id);
        }
        return schema;
    }

    public String schemaText(int id) {
        String text = textById.get(id);
        if (text == null) {
            throw SchemaRegistryException.schemaNotFound("no schema with id " + id);
        }
        return text;
    }

    /**
     * Why {@code schemaText} would not be compatible with one version of the subject (or, with
     * {@code versionSpec} null, with the versions its level checks); empty when it would be.
     */
    public List<String> compatibilityViolations(String subject, String schemaText, String versionSpec) {
        Schema candidate = parse(schemaText);
        if (!subjects.containsKey(subject)) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        CompatibilityLevel level = effectiveLevel(subject);
        if (versionSpec == null) {
            return level.violations(candidate, schemasOf(subject));
        }
        RegisteredSchema against = version(subject, versionSpec);
        return level.violations(candidate, List.of(schema(against.id())));
    }

    private List<Schema> schemasOf(String subject) {
        return subjects.getOrDefault(subject, List.of()).stream().map(v -> schemaById.get(v.id())).toList();
    }

    public CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    public Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    public int maxId() {
        return maxId;
    }
}
