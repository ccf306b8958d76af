package io.flagplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsoleConfigTest {

    @Test
    void defaults_point_at_the_local_stack() {
        ConsoleConfig config = ConsoleConfig.from(Settings.of(Map.of()));
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8084);
        assertThat(config.services()).containsOnlyKeys("command", "projection", "edge");
        assertThat(config.commandUrl()).hasToString("http://127.0.0.1:8080");
        assertThat(config.projectionUrl()).hasToString("http://127.0.0.1:8082");
        assertThat(config.edgeUrl()).hasToString("http://127.0.0.1:8083");
    }

    @Test
    void a_trailing_slash_on_a_service_url_is_dropped() {
        ConsoleConfig config = ConsoleConfig.from(Settings.of(Map.of("console.command.url", "https://flags.example.com/")));
        assertThat(config.commandUrl()).hasToString("https://flags.example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://x", "127.0.0.1:8080", "http://u:p@host", "http://host?x=1", "not a url"})
    void a_service_url_that_is_not_a_plain_http_base_is_refused_naming_the_setting(String url) {
        assertThatThrownBy(() -> ConsoleConfig.from(Settings.of(Map.of("console.edge.url", url))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("console.edge.url");
    }
}
