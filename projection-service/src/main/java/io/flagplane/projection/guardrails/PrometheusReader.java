package io.flagplane.projection.guardrails;

import java.time.Duration;

/**
 * Reads one number from a Prometheus server: the value of an instant PromQL query, or why it could
 * not. What a PROMETHEUS guardrail compares with its limit. The guardrails call it only through
 * {@link PrometheusReadings}, off the stream thread; an implementation may block up to
 * {@code timeout} and must not throw.
 */
@FunctionalInterface
public interface PrometheusReader {

    /** The reader used until a real one is plugged in: every read is an error that says so. */
    PrometheusReader NOT_CONFIGURED = (url, query, timeout) -> Result.failed("Prometheus source not configured");

    /**
     * @param url     the server's base URL, e.g. {@code http://prometheus:9090}
     * @param query   an instant query whose result is one number
     * @param timeout how long the read may take
     */
    Result read(String url, String query, Duration timeout);

    /** A value, or (value null) an error in words. */
    record Result(Double value, String error) {

        public Result {
            if ((value == null) == (error == null)) {
                throw new IllegalArgumentException("a Prometheus result is a value or an error, not both or neither");
            }
        }

        public static Result of(double value) {
            return new Result(value, null);
        }

        public static Result failed(String error) {
            return new Result(null, error);
        }

        public boolean ok() {
            return value != null;
        }
    }
}
