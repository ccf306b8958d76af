package io.flagplane.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void overrides_beat_environment_beat_file_beat_defaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flagplane.properties");
        Files.writeString(file, "edge.port=7000\ncommand.port=7001\nprojection.port=7002\n");
        Settings settings = Settings.load(Map.of("FLAGPLANE_CONFIG", file.toString(),
                "FLAGPLANE_COMMAND_PORT", "7101", "FLAGPLANE_EDGE_PORT", "7100"), Map.of("edge.port", "7200"));

        assertThat(settings.integer("edge.port", 1, 0, 65535)).isEqualTo(7200);
        assertThat(settings.integer("command.port", 1, 0, 65535)).isEqualTo(7101);
        assertThat(settings.integer("projection.port", 1, 0, 65535)).isEqualTo(7002);
        assertThat(settings.integer("other.port", 1, 0, 65535)).isEqualTo(1);
    }

    @Test
    void a_bad_value_names_the_setting_and_where_it_came_from() {
        Settings settings = Settings.load(Map.of("FLAGPLANE_EDGE_PORT", "eighty"), Map.of());

        assertThatThrownBy(() -> settings.integer("edge.port", 8083, 0, 65535))
                .isInstanceOf(SettingsException.class)
                .hasMessage("the environment variable FLAGPLANE_EDGE_PORT is 'eighty'; it must be a whole number");
    }

    @Test
    void out_of_range_numbers_are_refused() {
        assertThatThrownBy(() -> Settings.of(Map.of("edge.port", "70000")).integer("edge.port", 1, 0, 65535))
                .hasMessageContaining("between 0 and 65535");
    }

    @Test
    void lists_durations_and_booleans_parse() {
        Settings settings = Settings.of(Map.of("edge.environments", " production, staging ,", "x.ms", "250", "x.on", "TRUE"));

        assertThat(settings.list("edge.environments", Set.of())).containsExactly("production", "staging");
        assertThat(settings.millis("x.ms", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.bool("x.on", false)).isTrue();
        assertThatThrownBy(() -> settings.required("missing.thing")).hasMessageContaining("FLAGPLANE_MISSING_THING");
    }

    @Test
    void an_unreadable_config_file_is_reported() {
        assertThatThrownBy(() -> Settings.load(Map.of("FLAGPLANE_CONFIG", "/nonexistent/flagplane.properties"), Map.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("/nonexistent/flagplane.properties");
    }

    @Test
    void it_remembers_every_setting_asked_for_also_through_its_copies() {
        Settings settings = Settings.load(Map.of("FLAGPLANE_EDGE_PORT", "8083"), Map.of());
        settings.integer("edge.port", 1, 0, 65535);
        settings.with(Map.of("edge.environments", "production")).string("kafka.bootstrap.servers", "x");

        assertThat(settings.asked()).containsExactlyInAnyOrder("edge.port", "kafka.bootstrap.servers");
    }

    @Test
    void a_prefix_collects_its_settings_from_every_source_with_the_same_precedence(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flagplane.properties");
        Files.writeString(file, "kafka.client.security.protocol=SSL\nkafka.client.ssl.truststore.location=/from/file\n"
                + "kafka.client.client.dns.lookup=use_all_dns_ips\nkafka.clientele=not-mine\n");
        Settings settings = Settings.load(Map.of("FLAGPLANE_CONFIG", file.toString(),
                "FLAGPLANE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "FLAGPLANE_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
                "FLAGPLANE_KAFKA_CLIENTS", "not-mine either"), Map.of("kafka.client.sasl.mechanism", "PLAIN"));

        assertThat(settings.prefixed("kafka.client.")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "ssl.truststore.location", "/from/file",
                "client.dns.lookup", "use_all_dns_ips"));
        assertThat(settings.asked()).contains("kafka.client.security.protocol", "kafka.client.sasl.mechanism",
                "kafka.client.ssl.truststore.location", "kafka.client.client.dns.lookup");
    }
}
