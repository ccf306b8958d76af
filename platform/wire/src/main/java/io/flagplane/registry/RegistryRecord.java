package io.flagplane.registry;

/**
 * A change to a registry's state. A registry that persists (the embedded server writes these
 * to a compacted topic) stores each record before it applies it, and rebuilds by applying them
 * in order.
 */
public sealed interface RegistryRecord {

    /** A schema became a new version of a subject. */
    record SchemaRegistered(String subject, int version, int id, String schema) implements RegistryRecord {
    }

    /** A compatibility level was set, for one subject or (subject null) globally. */
    record CompatibilitySet(String subject, CompatibilityLevel level) implements RegistryRecord {
    }
}
