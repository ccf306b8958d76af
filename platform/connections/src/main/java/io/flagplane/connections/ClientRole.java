package io.flagplane.connections;

/**
 * The kinds of Kafka client a Flagplane process creates. Each takes the common pass-through
 * ({@code kafka.client.*}) and, over it, its own ({@code kafka.producer.*}, {@code kafka.consumer.*},
 * {@code kafka.admin.*}, {@code kafka.streams.*}), for the few settings one kind needs apart
 * (a Kafka Streams instance takes Streams' own {@code producer.}/{@code consumer.}/{@code admin.}
 * prefixes inside {@code kafka.streams.*}).
 */
public enum ClientRole {
    PRODUCER("kafka.producer."),
    CONSUMER("kafka.consumer."),
    ADMIN("kafka.admin."),
    STREAMS("kafka.streams.");

    /** The settings prefix of the common pass-through every role takes. */
    public static final String COMMON_PREFIX = "kafka.client.";

    private final String prefix;

    ClientRole(String prefix) {
        this.prefix = prefix;
    }

    /** This role's settings prefix, e.g. {@code kafka.consumer.}. */
    public String prefix() {
        return prefix;
    }
}
