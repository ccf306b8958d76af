package io.flagplane.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every answer to hostile input must be: never a 5xx; a 4xx is JSON in the API's error shape
 * ({@code {"error":{"code":"UPPER_SNAKE","message":"…","field"?:…}}}, or OFREP's
 * {@code {"errorCode":"…","errorDetails":"…"}} under {@code /ofrep/}); no error names a Java class
 * or a library's internals; and whatever the probe itself expects. Each broken rule is one line.
 */
final class ResponseRules {

    static final String SERVER_ERROR = "5xx answer";
    static final String NO_ANSWER = "no answer";
    static final String EXPECTATION = "wrong status or code";
    static final String NOT_JSON = "4xx not application/json";
    static final String SHAPE = "4xx not in the error shape";
    static final String INTERNALS = "internals in the error";
    static final String WROTE = "rejected input wrote events";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");
    /** Java class and package names, Jackson's locations and tokens, Jetty's and Javalin's names: none belongs in an answer. */
    static final Pattern INTERNAL = Pattern.compile(
            "\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b|Exception\\b|\\b(java|javax|jdk|sun|kotlin)\\.[a-z][\\w.]*|com\\.fasterxml|"
                    + "org\\.eclipse|org\\.apache|io\\.javalin|io\\.flagplane|StreamReadConstraints|StreamWriteConstraints|"
                    + "\\[Source:|through reference chain|\\b(START_OBJECT|END_OBJECT|START_ARRAY|END_ARRAY|FIELD_NAME|"
                    + "VALUE_STRING|VALUE_NUMBER_INT|VALUE_NUMBER_FLOAT)\\b|\\bat [a-z]+(\\.[a-z0-9_]+)+\\.[A-Za-z]+\\(|"
                    + "Caused by|(?i:jackson|jetty|javalin)");

    private ResponseRules() {
    }

    /** The rules the answer breaks, each as "rule: detail"; empty when it keeps them all. */
    static List<String> check(Probe probe, RawHttp.Response response) {
        List<String> broken = new ArrayList<>();
        int status = response.status();
        if (status >= 500) {
            broken.add(SERVER_ERROR + ": " + status);
        }
        Probe.Expect expect = probe.expect();
        if (expect.status() != 0 && status != expect.status()) {
            broken.add(EXPECTATION + ": expected " + expect.describe() + ", got " + status);
        } else if (expect.clientError() && (status < 400 || status >= 500)) {
            broken.add(EXPECTATION + ": expected " + expect.describe() + ", got " + status);
        }
        if (status < 400 || probe.isHead()) {
            return broken;
        }
        JsonNode body = null;
        if (status < 500 && !response.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            broken.add(NOT_JSON + ": Content-Type '" + response.contentType() + "'");
        }
        try {
            body = response.body().length == 0 ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            // not JSON: reported as the shape below
        }
        if (status < 500) {
            String shapeProblem = shapeProblem(probe.api().shapeAt(probe.target()), body);
            if (shapeProblem != null) {
                broken.add(SHAPE + ": " + shapeProblem);
            }
            String code = code(body);
            if (expect.code() != null && !expect.code().equals(code)) {
                broken.add(EXPECTATION + ": expected code " + expect.code() + ", got " + code);
            }
        }
        Matcher internal = INTERNAL.matcher(response.text());
        if (internal.find()) {
            broken.add(INTERNALS + ": '" + internal.group() + "'");
        }
        return broken;
    }

    /** The error code of an error body in either shape, or null. */
    static String code(JsonNode body) {
        if (body == null) {
            return null;
        }
        if (body.path("error").path("code").isTextual()) {
            return body.path("error").path("code").textValue();
        }
        return body.path("errorCode").isTextual() ? body.path("errorCode").textValue() : null;
    }

    private static String shapeProblem(Probe.Shape shape, JsonNode body) {
        if (body == null || !body.isObject()) {
            return "the body is not a JSON object";
        }
        String api = apiShapeProblem(body);
        String ofrep = ofrepShapeProblem(body);
        return switch (shape) {
            case API -> api;
            case OFREP -> ofrep;
            case EITHER -> api == null || ofrep == null ? null : api;
        };
    }

    private static String apiShapeProblem(JsonNode body) {
        JsonNode error = body.get("error");
        if (error == null || !error.isObject()) {
            return "no \"error\" object";
        }
        if (!error.path("code").isTextual() || !CODE.matcher(error.path("code").textValue()).matches()) {
            return "error.code is not UPPER_SNAKE text: " + error.get("code");
        }
        if (!error.path("message").isTextual() || error.path("message").textValue().isBlank()) {
            return "error.message is missing";
        }
        JsonNode field = error.get("field");
        if (field != null && !field.isTextual() && !field.isNull()) {
            return "error.field is not text: " + field;
        }
        return null;
    }

    private static String ofrepShapeProblem(JsonNode body) {
        if (!body.path("errorCode").isTextual() || !CODE.matcher(body.path("errorCode").textValue()).matches()) {
            return "errorCode is not UPPER_SNAKE text: " + body.get("errorCode");
        }
        if (!body.path("errorDetails").isTextual()) {
            return "errorDetails is missing";
        }
        return null;
    }
}
