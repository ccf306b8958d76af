package io.flagplane.settings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretMaskingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "ssl.truststore.password       | hunter2                 | ****",
            "ssl.key.password              | hunter2                 | ****",
            "ssl.keystore.key              | -----BEGIN PRIVATE KEY  | ****",
            "sasl.oauthbearer.client.credentials.client.secret | s | ****",
            "basic.auth.user.info          | flagplane:hunter2       | ****",
            "bearer.auth.token             | eyJhbGciOi              | ****",
            "ssl.truststore.location       | /etc/kafka/trust.p12    | /etc/kafka/trust.p12",
            "sasl.oauthbearer.token.endpoint.url | https://idp/token | https://idp/token",
            "security.protocol             | SASL_SSL                | SASL_SSL",
            "sasl.mechanism                | SCRAM-SHA-512           | SCRAM-SHA-512"})
    void secrets_are_masked_and_everything_else_shows(String name, String value, String shown) {
        assertThat(SecretMasking.mask(name, value)).isEqualTo(shown);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"edge\" password=\"hunter2\"; "
                    + "| org.apache.kafka.common.security.scram.ScramLoginModule required username=\"edge\" password=\"****\";",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=admin password=hunter2;"
                    + "| org.apache.kafka.common.security.plain.PlainLoginModule required username=admin password=\"****\";",
            "OAuthBearerLoginModule required clientId=\"flagplane\" clientSecret=\"s3cr3t\" scope=\"kafka\";"
                    + "| OAuthBearerLoginModule required clientId=\"flagplane\" clientSecret=\"****\" scope=\"kafka\";"})
    void a_jaas_configuration_shows_its_module_and_who_logs_in_but_no_secret(String jaas, String shown) {
        assertThat(SecretMasking.mask("sasl.jaas.config", jaas)).isEqualTo(shown).doesNotContain("hunter2").doesNotContain("s3cr3t");
    }
}
