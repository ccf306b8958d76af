package io.flagplane.provisioning;

/**
 * How big and how durable the topics are. {@link #local()} for one broker; production wants
 * replication factor 3 and {@code min.insync.replicas} 2, so that an acknowledged event
 * (acks=all) is on two brokers before the command-service answers.
 */
public record ProvisioningSettings(int partitions, short replicationFactor, int minInsyncReplicas) {

    public ProvisioningSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, was " + replicationFactor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the replication factor ("
                    + replicationFactor + "), was " + minInsyncReplicas);
        }
    }

    public static ProvisioningSettings local() {
        return new ProvisioningSettings(6, (short) 1, 1);
    }

    public static ProvisioningSettings production() {
        return new ProvisioningSettings(12, (short) 3, 2);
    }
}
