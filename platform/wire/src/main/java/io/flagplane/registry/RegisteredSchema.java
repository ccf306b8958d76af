package io.flagplane.registry;

/** One version of one subject, as the Confluent API returns it. */
public record RegisteredSchema(String subject, int version, int id, String schema) {
}
