package io.flagplane.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaClientSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"flagplane-edge\" password=\"hunter2\";";

    private static Settings environment(Map<String, String> variables) {
        return Settings.load(variables, Map.of());
    }

    @Test
    void every_role_gets_the_common_pass_through_and_its_own_settings_over_it() {
        KafkaClientSettings kafka = KafkaClientSettings.from(environment(Map.of(
                "FLAGPLANE_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093",
                "FLAGPLANE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "FLAGPLANE_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
                "FLAGPLANE_KAFKA_CLIENT_SASL_JAAS_CONFIG", JAAS,
                "FLAGPLANE_KAFKA_CLIENT_REQUEST_TIMEOUT_MS", "20000",
                "FLAGPLANE_KAFKA_CONSUMER_REQUEST_TIMEOUT_MS", "9000",
                "FLAGPLANE_KAFKA_STREAMS_PRODUCER_COMPRESSION_TYPE", "zstd")));

        assertThat(kafka.forRole(ClientRole.PRODUCER)).containsEntry("bootstrap.servers", "kafka-1:9093")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("request.timeout.ms", "20000");
        assertThat(kafka.forRole(ClientRole.CONSUMER)).containsEntry("request.timeout.ms", "9000");
        assertThat(kafka.forRole(ClientRole.STREAMS)).containsEntry("producer.compression.type", "zstd")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(kafka.settingFor(ClientRole.CONSUMER, "request.timeout.ms")).isEqualTo("kafka.consumer.request.timeout.ms");
        assertThat(kafka.settingFor(ClientRole.PRODUCER, "sasl.jaas.config")).isEqualTo("kafka.client.sasl.jaas.config");
        assertThat(kafka.securityProtocol(ClientRole.ADMIN)).isEqualTo("SASL_SSL");
    }

    @Test
    void the_pass_through_is_applied_last_so_it_wins_over_flagplanes_defaults() {
        KafkaClientSettings kafka = KafkaClientSettings.from(Settings.of(Map.of("kafka.client.linger.ms", "5")));
        Map<String, Object> config = new HashMap<>(Map.of("linger.ms", 0, "client.id", "x"));
        kafka.applyTo(ClientRole.PRODUCER, config);
        Properties streams = kafka.applyTo(ClientRole.STREAMS, new Properties());

        assertThat(config).containsEntry("linger.ms", "5").containsEntry("client.id", "x");
        assertThat(streams).containsEntry("linger.ms", "5").containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka.client.acks", "kafka.client.transactional.id", "kafka.consumer.isolation.level",
        "kafka.client.bootstrap.servers", "kafka.streams.processing.guarantee", "kafka.streams.consumer.isolation.level",
        "kafka.client.value.deserializer", "kafka.consumer.group.id"})
    void what_flagplanes_promises_rest_on_is_refused_naming_the_setting(String setting) {
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of(setting, "x"))))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith(setting + ": Flagplane sets");
    }

    @Test
    void an_unknown_protocol_and_sasl_without_a_login_are_refused_naming_the_setting() {
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of("kafka.client.security.protocol", "TLS"))))
                .hasMessage("kafka.client.security.protocol is 'TLS'; it must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of("kafka.client.security.protocol", "SASL_SSL"))))
                .hasMessageContaining("no SASL login is configured: set kafka.client.sasl.jaas.config")
                .hasMessageContaining("FLAGPLANE_KAFKA_CLIENT_SASL_JAAS_CONFIG");
    }

    @Test
    void the_summary_shows_every_setting_and_no_secret() {
        KafkaClientSettings kafka = KafkaClientSettings.from(Settings.of(Map.of(
                "kafka.bootstrap.servers", "kafka:9093",
                "kafka.client.security.protocol", "SASL_SSL",
                "kafka.client.sasl.jaas.config", JAAS,
                "kafka.client.ssl.truststore.location", "/etc/flagplane/tls/ca.p12",
                "kafka.client.ssl.truststore.password", "trustpass",
                "kafka.producer.ssl.key.password", "keypass")));

        assertThat(kafka.summary()).isEqualTo("kafka.bootstrap.servers=kafka:9093; "
                + "kafka.client.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"flagplane-edge\" password=\"****\";, kafka.client.security.protocol=SASL_SSL, "
                + "kafka.client.ssl.truststore.location=/etc/flagplane/tls/ca.p12, kafka.client.ssl.truststore.password=****; "
                + "kafka.producer.ssl.key.password=****");
        assertThat(kafka.toString()).doesNotContain("hunter2", "trustpass", "keypass");
    }

    @Test
    void client_errors_are_explained_by_the_setting_to_look_at() {
        KafkaClientSettings kafka = KafkaClientSettings.from(Settings.of(Map.of(
                "kafka.bootstrap.servers", "kafka:9093",
                "kafka.client.security.protocol", "SASL_SSL",
                "kafka.client.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.client.sasl.jaas.config", JAAS)));

        assertThat(KafkaClientErrors.explain(new RuntimeException(new SaslAuthenticationException("invalid credentials")),
                kafka, ClientRole.CONSUMER))
                .isEqualTo("Kafka at kafka:9093 refused the SASL credentials (SCRAM-SHA-512) in kafka.client.sasl.jaas.config: "
                        + "invalid credentials");
        assertThat(KafkaClientErrors.explain(new SslAuthenticationException("SSL handshake failed",
                new RuntimeException("PKIX path building failed")), kafka, ClientRole.ADMIN))
                .startsWith("the TLS handshake with Kafka at kafka:9093 failed: PKIX path building failed. Check "
                        + "kafka.client.ssl.truststore.location");
        assertThat(KafkaClientErrors.explain(new SslAuthenticationException("Failed to process post-handshake messages",
                new javax.net.ssl.SSLHandshakeException("Received fatal alert: bad_certificate")), kafka, ClientRole.ADMIN))
                .contains("refused this client's certificate, or it sent none").contains("kafka.client.ssl.keystore.location");
        assertThat(KafkaClientErrors.explain(new TopicAuthorizationException("Not authorized to access topics: [flag-events]"),
                kafka, ClientRole.PRODUCER)).contains("lacks an ACL").contains("flagplane acls");
        assertThat(KafkaClientErrors.explain(new RuntimeException("broker away"), kafka, ClientRole.PRODUCER)).isNull();
    }
}
