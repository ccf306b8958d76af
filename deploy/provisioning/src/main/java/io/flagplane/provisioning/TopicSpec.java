package io.flagplane.provisioning;

import java.util.Map;
import java.util.Objects;

/** What a topic must look like: partitions, replication factor and the configs we rely on. */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic needs at least one partition: " + name);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1: " + name);
        }
        configs = Map.copyOf(configs);
    }
}
