package io.flagplane.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretReferencesTest {

    @Test
    void a_value_reads_its_secret_from_a_properties_file_a_secret_directory_or_the_environment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "password=from-file\n");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("registry-user-info"), "flagplane:from-dir\n");
        Settings settings = Settings.load(Map.of(
                "FLAGPLANE_KAFKA_CLIENT_SASL_JAAS_CONFIG", "ScramLoginModule required username=\"edge\" password=\"${file:" + file + ":password}\";",
                "FLAGPLANE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "${dir:" + secrets + ":registry-user-info}",
                "FLAGPLANE_SCHEMA_REGISTRY_BEARER_AUTH_TOKEN", "${env:REGISTRY_TOKEN}",
                "REGISTRY_TOKEN", "from-env"), Map.of());

        assertThat(settings.string("kafka.client.sasl.jaas.config", null))
                .isEqualTo("ScramLoginModule required username=\"edge\" password=\"from-file\";");
        assertThat(settings.string("schema.registry.basic.auth.user.info", null)).isEqualTo("flagplane:from-dir");
        assertThat(settings.string("schema.registry.bearer.auth.token", null)).isEqualTo("from-env");
    }

    @Test
    void a_reference_that_cannot_be_read_names_the_setting_and_the_reference_but_no_secret(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "password=hunter2\n");
        Settings settings = Settings.load(Map.of(
                "FLAGPLANE_KAFKA_CLIENT_SSL_KEY_PASSWORD", "${file:" + file + ":other}",
                "FLAGPLANE_KAFKA_CLIENT_SSL_KEYSTORE_PASSWORD", "${dir:" + dir + ":missing}",
                "FLAGPLANE_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD", "${env:NOT_SET}"), Map.of());

        assertThatThrownBy(() -> settings.string("kafka.client.ssl.key.password", null))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("kafka.client.ssl.key.password refers to ${file:" + file + ":other}, which does not exist")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> settings.string("kafka.client.ssl.keystore.password", null))
                .hasMessageStartingWith("kafka.client.ssl.keystore.password refers to ${dir:" + dir + ":missing}, which cannot be read");
        assertThatThrownBy(() -> settings.string("kafka.client.ssl.truststore.password", null))
                .hasMessageContaining("no environment variable NOT_SET");
    }

    @Test
    void other_providers_are_left_for_the_kafka_client_and_plain_values_are_untouched() {
        SecretReferences.Reader none = (provider, path, key) -> {
            throw new AssertionError("nothing to read");
        };
        assertThat(SecretReferences.resolve("${vault:secret/kafka:password}", "x", none)).isEqualTo("${vault:secret/kafka:password}");
        assertThat(SecretReferences.resolve("plain $ value {}", "x", none)).isEqualTo("plain $ value {}");
        assertThat(SecretReferences.refersToSecret("${env:A}")).isTrue();
        assertThat(SecretReferences.refersToSecret("${vault:a:b}")).isFalse();
    }

    @Test
    void a_check_of_deployment_files_can_stand_in_for_secrets_it_cannot_read() {
        Settings settings = Settings.load(Map.of("FLAGPLANE_KAFKA_CLIENT_SSL_KEY_PASSWORD", "${dir:/run/secrets:key-password}"), Map.of())
                .readingSecretsWith((provider, path, key) -> "stand-in");

        assertThat(settings.string("kafka.client.ssl.key.password", null)).isEqualTo("stand-in");
    }
}
