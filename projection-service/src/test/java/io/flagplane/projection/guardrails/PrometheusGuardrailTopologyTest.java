package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PROMETHEUS guardrails through the whole topology, with a reader the test controls (the real one is another part's). */
class PrometheusGuardrailTopologyTest {

    private static final String QUERY = "sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))";

    private static GuardrailReading read(GuardrailDriver driver) {
        driver.send(Plans.seed001().prometheus("prom-errors", "http://prometheus:9090", QUERY, 0.05).runningAtBeta());
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(3)));
        return driver.signal().getReadings().get(0);
    }

    @Test
    void the_querys_value_above_the_limit_breaches_and_the_reader_is_asked_for_the_guardrails_url_and_query() {
        List<String> asked = new ArrayList<>();
        try (GuardrailDriver driver = new GuardrailDriver(PrometheusReadings.direct((url, query, at) -> {
            asked.add(url + " " + query + " at " + at);
            return new PrometheusReader.Reading.Value(0.072, Instant.now());
        }))) {
            GuardrailReading reading = read(driver);

            assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
            assertThat(reading.getObserved()).isEqualTo(0.072);
            assertThat(reading.getSummary()).isEqualTo(QUERY + " = 0.072 > 0.05");
            assertThat(asked).as("at Prometheus' own now").contains("http://prometheus:9090 " + QUERY + " at null");
        }
    }

    @Test
    void below_the_limit_it_is_healthy() {
        try (GuardrailDriver driver = new GuardrailDriver(PrometheusReadings.direct((url, query, at) ->
                new PrometheusReader.Reading.Value(0.01, Instant.now())))) {
            GuardrailReading reading = read(driver);

            assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
            assertThat(reading.getSummary()).isEqualTo(QUERY + " = 0.01 <= 0.05");
        }
    }

    @Test
    void a_query_that_finds_no_data_is_insufficient_and_an_unreachable_server_an_error() {
        try (GuardrailDriver noData = new GuardrailDriver(PrometheusReadings.direct((url, query, at) ->
                new PrometheusReader.Reading.Failed(PrometheusReader.Problem.NO_SERIES, "query returned no series")));
             GuardrailDriver down = new GuardrailDriver(PrometheusReadings.direct((url, query, at) ->
                new PrometheusReader.Reading.Failed(PrometheusReader.Problem.UNREACHABLE,
                        "Prometheus at http://prometheus:9090 cannot be reached: connection refused")))) {
            GuardrailReading empty = read(noData);
            GuardrailReading unreachable = read(down);

            assertThat(empty.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
            assertThat(empty.getSummary()).isEqualTo("query returned no series");
            assertThat(unreachable.getVerdict()).isEqualTo(GuardrailVerdict.ERROR);
            assertThat(unreachable.getSummary()).isEqualTo("Prometheus at http://prometheus:9090 cannot be reached: connection refused");
        }
    }

    @Test
    void without_a_configured_source_the_reading_is_an_error_that_says_so() {
        try (GuardrailDriver driver = new GuardrailDriver()) {
            GuardrailReading reading = read(driver);

            assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.ERROR);
            assertThat(reading.getObserved()).isNull();
            assertThat(reading.getSummary()).isEqualTo("Prometheus source not configured");
        }
    }
}
