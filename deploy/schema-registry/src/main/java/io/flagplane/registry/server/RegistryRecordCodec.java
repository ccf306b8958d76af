package io.flagplane.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.registry.CompatibilityLevel;
import io.flagplane.registry.RegistryRecord;
import io.flagplane.registry.RegistryRecord.CompatibilitySet;
import io.flagplane.registry.RegistryRecord.SchemaRegistered;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Registry records as JSON key/value pairs on the compacted schema topic, in the layout
 * Confluent's registry uses for its {@code _schemas} topic: a SCHEMA key per subject version,
 * a CONFIG key per subject (null subject: global), so compaction keeps exactly what matters.
 */
final class RegistryRecordCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Encoded(byte[] key, byte[] value) {
    }

    private RegistryRecordCodec() {
    }

    static Encoded encode(RegistryRecord record) {
        ObjectNode key = JSON.createObjectNode();
        ObjectNode value = JSON.createObjectNode();
        if (record instanceof SchemaRegistered s) {
            key.put("keytype", "SCHEMA").put("subject", s.subject()).put("version", s.version()).put("magic", 1);
            value.put("subject", s.subject()).put("version", s.version()).put("id", s.id()).put("schema", s.schema())
                    .put("deleted", false);
        } else if (record instanceof CompatibilitySet c) {
            key.put("keytype", "CONFIG").put("subject", c.subject()).put("magic", 0);
            value.put("compatibilityLevel", c.level().name());
        } else {
            throw new IllegalArgumentException("unknown registry record " + record);
        }
        return new Encoded(bytes(key), bytes(value));
    }

    /**
     * Decodes one topic record; empty for records this registry does not act on (NOOP keys,
     * deleted schemas, tombstones). Throws {@link IOException} for bytes that are not a registry
     * record at all.
     */
    static Optional<RegistryRecord> decode(byte[] keyBytes, byte[] valueBytes) throws IOException {
        if (keyBytes == null) {
            throw new IOException("record without a key");
        }
        JsonNode key = JSON.readTree(keyBytes);
        if (key == null || !key.isObject()) {
            throw new IOException("key is not a JSON object");
        }
        if (valueBytes == null) {
            return Optional.empty();
        }
        JsonNode value = JSON.readTree(valueBytes);
        if (value == null || !value.isObject()) {
            throw new IOException("value is not a JSON object");
        }
        switch (key.path("keytype").asText()) {
            case "SCHEMA" -> {
                if (value.path("deleted").asBoolean(false)) {
                    return Optional.empty();
                }
                String subject = required(value, "subject").asText();
                String schema = required(value, "schema").asText();
                return Optional.of(new SchemaRegistered(subject, required(value, "version").asInt(),
                        required(value, "id").asInt(), schema));
            }
            case "CONFIG" -> {
                String subject = key.path("subject").isTextual() ? key.get("subject").asText() : null;
                String level = required(value, "compatibilityLevel").asText();
                return Optional.of(new CompatibilitySet(subject, CompatibilityLevel.parse(level)
                        .orElseThrow(() -> new IOException("unknown compatibility level " + level))));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static JsonNode required(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException("field '" + field + "' is missing");
        }
        return value;
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
