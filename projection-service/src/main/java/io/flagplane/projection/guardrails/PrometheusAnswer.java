package io.flagplane.projection.guardrails;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.projection.guardrails.PrometheusReader.Problem;
import io.flagplane.projection.guardrails.PrometheusReader.Reading;
import java.io.IOException;
import java.time.Instant;

/**
 * Prometheus' answer to an instant query ({@code GET /api/v1/query}), bound to its documented JSON
 * envelope and read as one number: {@code {"status":"success","data":{"resultType":"vector"|"scalar"
 * |"matrix"|"string","result":…}}} on success, {@code {"status":"error","errorType":…,"error":…}}
 * (with HTTP 400, 422 or 503) on failure. A scalar's result is {@code [<unix seconds>, "<value>"]}; a
 * vector's is a list of {@code {"metric":{…},"value":[<unix seconds>, "<value>"]}}. Values are strings
 * because they may be {@code NaN}, {@code +Inf} or {@code -Inf}. Fields Prometheus adds over time
 * ({@code warnings}, {@code infos}, {@code stats}) are ignored; anything else that does not fit is a
 * {@link Problem#BAD_RESPONSE}.
 */
final class PrometheusAnswer {

    /** How much of Prometheus' own error text a sentence repeats. */
    private static final int MAX_ERROR_CHARS = 300;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(String status, Data data, String errorType, String error) {
    }

    /** {@code result} depends on {@code resultType}, so it stays a tree until the type is known. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Data(String resultType, JsonNode result) {
    }

    private PrometheusAnswer() {
    }

    /**
     * @param server how sentences name the server (the guardrail's URL)
     */
    static Reading read(int httpStatus, byte[] body, String server) {
        Envelope envelope = parse(body);
        if (envelope != null && "error".equals(envelope.status())) {
            return new Reading.Failed(Problem.PROMETHEUS_ERROR, "Prometheus at " + server + " refused the query ("
                    + (envelope.errorType() == null ? "HTTP " + httpStatus : envelope.errorType()) + "): "
                    + abbreviate(envelope.error() == null ? "no reason given" : envelope.error()));
        }
        if (httpStatus / 100 != 2) {
            return new Reading.Failed(Problem.HTTP_STATUS, "Prometheus at " + server + " answered HTTP " + httpStatus
                    + hint(httpStatus));
        }
        if (envelope == null || !"success".equals(envelope.status()) || envelope.data() == null
                || envelope.data().resultType() == null || envelope.data().result() == null) {
            return new Reading.Failed(Problem.BAD_RESPONSE, "the answer of " + server
                    + " is not the JSON of Prometheus' query API (is prometheusUrl a Prometheus server's base URL?)");
        }
        JsonNode result = envelope.data().result();
        return switch (envelope.data().resultType()) {
            case "scalar" -> sample(result, server);
            case "vector" -> vector(result, server);
            case "matrix" -> new Reading.Failed(Problem.WRONG_TYPE, "query returned a range vector; the guardrail needs one"
                    + " number (wrap the [range] selector in a function such as rate(...) and aggregate it, e.g. sum(...))");
            case "string" -> new Reading.Failed(Problem.WRONG_TYPE, "query returned a string; the guardrail needs one number");
            default -> new Reading.Failed(Problem.BAD_RESPONSE, "the answer of " + server + " has an unknown result type '"
                    + abbreviate(envelope.data().resultType()) + "'");
        };
    }

    private static Reading vector(JsonNode result, String server) {
        if (!result.isArray()) {
            return malformed(server);
        }
        if (result.isEmpty()) {
            return new Reading.Failed(Problem.NO_SERIES, "query returned no series");
        }
        if (result.size() > 1) {
            return new Reading.Failed(Problem.SEVERAL_SERIES, "query returned " + result.size()
                    + " series; the guardrail needs one number (aggregate it, e.g. sum(...))");
        }
        return sample(result.get(0).path("value"), server);
    }

    /** {@code [<unix seconds>, "<value>"]}. */
    private static Reading sample(JsonNode pair, String server) {
        if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isNumber() || !pair.get(1).isTextual()) {
            return malformed(server);
        }
        double seconds = pair.get(0).asDouble();
        String text = pair.get(1).asText();
        double value;
        switch (text) {
            case "NaN" -> {
                return new Reading.Failed(Problem.NOT_A_NUMBER, "query returned NaN: no data to compute it from in the window"
                        + " (e.g. a rate divided by a rate of zero: no requests)");
            }
            case "+Inf", "Inf", "-Inf" -> {
                return new Reading.Failed(Problem.NOT_A_NUMBER, "query returned " + (text.startsWith("-") ? "-Inf" : "+Inf")
                        + " (a division by zero?); the guardrail needs a finite number");
            }
            default -> {
                try {
                    value = Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return malformed(server);
                }
                if (!Double.isFinite(value)) {   // "Infinity" and the like: Java reads them, Prometheus does not write them
                    return malformed(server);
                }
            }
        }
        if (!Double.isFinite(seconds) || seconds < 0 || seconds > Instant.MAX.getEpochSecond()) {
            return malformed(server);
        }
        return new Reading.Value(value, Instant.ofEpochMilli(Math.round(seconds * 1000)));
    }

    private static Reading malformed(String server) {
        return new Reading.Failed(Problem.BAD_RESPONSE, "the answer of " + server
                + " does not hold a sample as Prometheus' query API writes one ([<unix seconds>, \"<value>\"])");
    }

    private static Envelope parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return JSON.readValue(body, Envelope.class);
        } catch (IOException e) {
            return null;
        }
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> " (it wants credentials: " + PrometheusSettings.PREFIX + "bearer.auth.token or "
                    + PrometheusSettings.PREFIX + "basic.auth.user.info, with " + PrometheusSettings.PREFIX
                    + "auth.url naming this server)";
            case 403 -> " (the credentials may not query it)";
            case 404 -> " (is prometheusUrl the server's base URL, without /api/v1?)";
            default -> "";
        };
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= MAX_ERROR_CHARS ? oneLine : oneLine.substring(0, MAX_ERROR_CHARS) + "…";
    }
}
