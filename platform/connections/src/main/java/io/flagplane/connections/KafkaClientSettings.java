package io.flagplane.connections;

import io.flagplane.settings.SecretMasking;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Kafka client of one process is given beyond what Flagplane sets itself: the
 * bootstrap servers ({@code kafka.bootstrap.servers}) and the pass-through — any
 * {@code kafka.client.<property>} (environment {@code FLAGPLANE_KAFKA_CLIENT_<PROPERTY>}) reaches
 * every producer, consumer, admin client and Streams instance the process creates, and
 * {@code kafka.producer.*}, {@code kafka.consumer.*}, {@code kafka.admin.*} and
 * {@code kafka.streams.*} reach only that {@linkplain ClientRole role}, over the common ones. That
 * is how TLS, SASL (SCRAM, PLAIN, OAUTHBEARER, GSSAPI), mutual TLS and any other client setting
 * (a DNS lookup mode, a rack, a config provider) get to Kafka.
 *
 * <p>Every creation point builds its own configuration and then {@linkplain #applyTo applies}
 * this one last, so a pass-through value wins over Flagplane's tuning defaults (timeouts,
 * linger, fetch sizes). What Flagplane's promises rest on is not the pass-through's to change,
 * and is refused at start-up naming the setting: the bootstrap servers (their own setting),
 * serializers, {@code transactional.id}, {@code group.id}, {@code application.id}, {@code acks},
 * idempotence, {@code isolation.level}, auto commit and offset reset, the Streams processing
 * guarantee and state directory.
 *
 * <p>Secrets come from files or the environment through {@code ${file:…}}, {@code ${dir:…}} and
 * {@code ${env:…}} references (see {@link io.flagplane.settings.SecretReferences}); {@link #summary()}
 * masks every secret.
 *
 * @param checkTimeout how long the start-up check waits for an answer ({@code kafka.check.timeout.ms}; 0 skips it)
 */
public record KafkaClientSettings(String bootstrapServers, Map<String, String> common, Map<ClientRole, Map<String, String>> roles,
                                  Duration checkTimeout) {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientSettings.class);
    /** How long the {@linkplain KafkaConnectionCheck start-up check} waits for the cluster ({@code kafka.check.timeout.ms}). */
    public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(10);

    /** Flagplane sets these itself; its promises depend on them. */
    static final Map<String, String> OWNED = ownedProperties();
    /** The prefixes Kafka Streams puts before a client property to aim it at one of its clients. */
    private static final String[] STREAMS_PREFIXES = {"main.consumer.", "restore.consumer.", "global.consumer.",
        "consumer.", "producer.", "admin."};
    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    public KafkaClientSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(checkTimeout, "checkTimeout");
        common = Map.copyOf(common);
        Map<ClientRole, Map<String, String>> copy = new EnumMap<>(ClientRole.class);
        roles.forEach((role, properties) -> copy.put(role, Map.copyOf(properties)));
        roles = java.util.Collections.unmodifiableMap(copy);
    }

    /** No pass-through: plaintext to {@code bootstrapServers}, as tests and the local stack run. */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, Map.of(), Map.of(), DEFAULT_CHECK_TIMEOUT);
    }

    /**
     * Reads {@code kafka.bootstrap.servers} and the pass-through, and checks it.
     *
     * @throws SettingsException naming the setting, for a property Flagplane sets itself, an
     *                           unknown security protocol, or SASL without a login configuration
     */
    public static KafkaClientSettings from(Settings settings) {
        String bootstrap = settings.string("kafka.bootstrap.servers", "127.0.0.1:9092");
        Map<String, String> common = settings.prefixed(ClientRole.COMMON_PREFIX);
        Map<ClientRole, Map<String, String>> roles = new EnumMap<>(ClientRole.class);
        for (ClientRole role : ClientRole.values()) {
            Map<String, String> own = settings.prefixed(role.prefix());
            if (!own.isEmpty()) {
                roles.put(role, own);
            }
        }
        KafkaClientSettings kafka = new KafkaClientSettings(bootstrap, common, roles,
                settings.millis("kafka.check.timeout.ms", DEFAULT_CHECK_TIMEOUT));
        kafka.check();
        return kafka;
    }

    /** The same pass-through to other servers (a test broker's second listener, say). */
    public KafkaClientSettings withBootstrapServers(String servers) {
        return new KafkaClientSettings(servers, common, roles, checkTimeout);
    }

    /** A copy with {@code properties} added to the common pass-through (the SDK's builder, tests). */
    public KafkaClientSettings withCommon(Map<String, String> properties) {
        Map<String, String> merged = new HashMap<>(common);
        merged.putAll(properties);
        return new KafkaClientSettings(bootstrapServers, merged, roles, checkTimeout);
    }

    private void check() {
        check(ClientRole.COMMON_PREFIX, common, null);
        roles.forEach((role, properties) -> check(role.prefix(), properties, role));
        for (ClientRole role : ClientRole.values()) {
            Map<String, Object> effective = forRole(role);
            Object protocol = effective.get("security.protocol");
            if (protocol != null && !PROTOCOLS.contains(protocol.toString().trim().toUpperCase(Locale.ROOT))) {
                throw new SettingsException(settingFor(role, "security.protocol") + " is '" + protocol
                        + "'; it must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
            }
            if (protocol != null && protocol.toString().trim().toUpperCase(Locale.ROOT).startsWith("SASL_")
                    && !effective.containsKey("sasl.jaas.config") && System.getProperty("java.security.auth.login.config") == null) {
                throw new SettingsException(settingFor(role, "security.protocol") + " is " + protocol + ", but no SASL login "
                        + "is configured: set " + ClientRole.COMMON_PREFIX + "sasl.jaas.config (environment "
                        + Settings.environmentVariable(ClientRole.COMMON_PREFIX + "sasl.jaas.config") + "), e.g. "
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"…\" password=\"${file:…}\";");
            }
        }
    }

    private static void check(String prefix, Map<String, String> properties, ClientRole role) {
        for (String property : properties.keySet()) {
            String bare = property;
            if (role == ClientRole.STREAMS) {
                for (String streamsPrefix : STREAMS_PREFIXES) {
                    if (property.startsWith(streamsPrefix)) {
                        bare = property.substring(streamsPrefix.length());
                        break;
                    }
                }
            }
            String owner = OWNED.get(bare);
            if (owner != null) {
                throw new SettingsException(prefix + property + ": Flagplane sets " + bare + " itself (" + owner
                        + "); remove the setting");
            }
            if (role != ClientRole.STREAMS && !known(bare, role) && !bare.startsWith("config.providers")) {
                LOG.warn("{}{} is not a Kafka {} setting; the clients will ignore it (a typo?)", prefix, property,
                        role == null ? "client" : role.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    private static boolean known(String property, ClientRole role) {
        boolean producer = ProducerConfig.configNames().contains(property);
        boolean consumer = ConsumerConfig.configNames().contains(property);
        boolean admin = AdminClientConfig.configNames().contains(property);
        if (role == null) {
            return producer || consumer || admin;
        }
        return switch (role) {
            case PRODUCER -> producer;
            case CONSUMER -> consumer;
            case ADMIN -> admin;
            case STREAMS -> true;
        };
    }

    /**
     * What a client of {@code role} takes from here: the bootstrap servers, the common
     * pass-through, then the role's own. A creation point applies this after its own settings.
     */
    public Map<String, Object> forRole(ClientRole role) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.putAll(common);
        properties.putAll(roles.getOrDefault(role, Map.of()));
        return properties;
    }

    /** Puts {@link #forRole(ClientRole)} into {@code config} (a map or Streams' {@code Properties}; last, so it wins). */
    public <M extends Map<? super String, Object>> M applyTo(ClientRole role, M config) {
        config.putAll(forRole(role));
        return config;
    }

    /** The setting that gives {@code property} to a client of {@code role}, for messages. */
    public String settingFor(ClientRole role, String property) {
        if (property.equals("bootstrap.servers")) {
            return "kafka.bootstrap.servers";
        }
        if (role != null && roles.getOrDefault(role, Map.of()).containsKey(property)) {
            return role.prefix() + property;
        }
        return ClientRole.COMMON_PREFIX + property;
    }

    /** The security protocol clients of {@code role} use ({@code PLAINTEXT} unless set). */
    public String securityProtocol(ClientRole role) {
        Object protocol = forRole(role).get("security.protocol");
        return protocol == null ? "PLAINTEXT" : protocol.toString().trim().toUpperCase(Locale.ROOT);
    }

    /** True when no client of this process is given anything beyond the bootstrap servers. */
    public boolean isPlain() {
        return common.isEmpty() && roles.isEmpty();
    }

    /**
     * One line for the start-up log: the bootstrap servers and every pass-through setting, each
     * secret masked ({@link SecretMasking}).
     */
    public String summary() {
        StringJoiner line = new StringJoiner("; ");
        line.add("kafka.bootstrap.servers=" + bootstrapServers);
        if (!common.isEmpty()) {
            line.add(masked(ClientRole.COMMON_PREFIX, common));
        }
        roles.forEach((role, properties) -> line.add(masked(role.prefix(), properties)));
        return line.toString();
    }

    private static String masked(String prefix, Map<String, String> properties) {
        return new TreeMap<>(properties).entrySet().stream()
                .map(e -> prefix + e.getKey() + "=" + SecretMasking.mask(e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "KafkaClientSettings[" + summary() + "]";
    }

    private static Map<String, String> ownedProperties() {
        Map<String, String> owned = new HashMap<>();
        owned.put("bootstrap.servers", "set kafka.bootstrap.servers");
        for (String serde : new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
            owned.put(serde, "records are in the Confluent wire format");
        }
        owned.put("transactional.id", "the command-service's is command.transactional.id");
        owned.put("group.id", "each consumer group is part of how its service works");
        owned.put("group.instance.id", "each consumer group is part of how its service works");
        owned.put("application.id", "the projection's is projection.application.id");
        owned.put("acks", "acknowledged commands must be durable; reports are telemetry");
        owned.put("enable.idempotence", "acknowledged commands must be durable and never applied twice");
        owned.put("isolation.level", "readers see only committed change sets");
        owned.put("enable.auto.commit", "offsets are committed where processing says so");
        owned.put("auto.offset.reset", "each reader decides where it starts");
        owned.put("processing.guarantee", "the projection's idempotent stores are built for it");
        owned.put("state.dir", "the projection's is projection.state.dir");
        owned.put("application.server", "the projection advertises projection.advertised.host");
        return Map.copyOf(owned);
    }
}
