package io.flagplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.KafkaConnectionCheck;
import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import io.flagplane.testkit.SecureKafkaCluster;
import io.flagplane.testkit.SharedSecureKafka;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pass-through carries the other ways in: SASL PLAIN, mutual TLS (the client certificate's CN
 * is the principal) and OAUTHBEARER (with the client library's unsecured tokens, which the test
 * broker accepts; a real identity provider's tokens go through the same settings). Each principal
 * is granted an edge's ACLs, passes the start-up check, and writes a report.
 */
@ExtendWith(SharedSecureKafka.class)
class OtherMechanismsIT {

    private static KafkaClientSettings settings(String bootstrap, Map<String, String> client) {
        Map<String, String> values = new HashMap<>(SecureKafkaCluster.asSettings(client));
        values.put("kafka.bootstrap.servers", bootstrap);
        return KafkaClientSettings.from(Settings.of(values));
    }

    private static void connectsAndReports(String who, KafkaClientSettings kafka, TopicNames topics) throws Exception {
        assertThat(KafkaConnectionCheck.check(who, kafka, List.of(topics.flagState(), topics.evaluatorReports()))).isTrue();
        Map<String, Object> config = kafka.applyTo(ClientRole.PRODUCER, new HashMap<>(Map.of("max.block.ms", 10_000)));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topics.evaluatorReports(), who, "report")).get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void sasl_plain_mutual_tls_and_oauthbearer_each_connect_as_their_principal(SecureKafkaCluster kafka) throws Exception {
        Principals p = new Principals(kafka);
        p.provisionTopics();
        TopicNames topics = TopicNames.withPrefix(p.prefix);
        String oauthSubject = "oauth-" + p.transactionalId;
        p.grant(Map.of("edge", SecureKafkaCluster.PLAIN_USER));
        p.grant(Map.of("edge", SecureKafkaCluster.MTLS_CLIENT));
        p.grant(Map.of("edge", oauthSubject));

        connectsAndReports("plain", settings(kafka.bootstrapServers(), kafka.plain(SecureKafkaCluster.PLAIN_USER)), topics);
        connectsAndReports("mtls", settings(kafka.mtlsBootstrapServers(), kafka.mutualTls()), topics);
        connectsAndReports("oauth", settings(kafka.bootstrapServers(), kafka.unsecuredOAuth(oauthSubject)), topics);
    }

    @Test
    void without_a_client_certificate_the_mutual_tls_listener_refuses_at_start_up(SecureKafkaCluster kafka) {
        Map<String, String> noCertificate = new HashMap<>(kafka.trust());
        noCertificate.put("security.protocol", "SSL");

        assertThatThrownBy(() -> KafkaConnectionCheck.check("mtls-without-certificate",
                settings(kafka.mtlsBootstrapServers(), noCertificate), List.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("refused this client's certificate, or it sent none")
                .hasMessageContaining("kafka.client.ssl.keystore.location");
    }
}
