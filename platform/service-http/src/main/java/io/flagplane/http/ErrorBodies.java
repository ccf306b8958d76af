package io.flagplane.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How one HTTP API writes an error body. Every Flagplane API answers errors as
 * {@code {"error": {"code": "UPPER_SNAKE", "message": "a sentence", "field": "..."}}}; OpenFeature's
 * remote protocol (OFREP) routes use {@code {"errorCode": "...", "errorDetails": "..."}} instead,
 * so the edge node picks its shape by path.
 */
@FunctionalInterface
public interface ErrorBodies {

    /**
     * @param path the request path, or null when the request could not be parsed far enough to
     *             know it (a header block too large, a malformed request line)
     */
    byte[] render(String path, int status, String code, String message);

    /** The Flagplane API shape on every path. */
    ErrorBodies API = (path, status, code, message) -> api(code, message, null);

    static byte[] api(String code, String message, String field) {
        ObjectNode body = StrictJson.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", code);
        if (field != null) {
            error.put("field", field);
        }
        error.put("message", message);
        return bytes(body);
    }

    static byte[] ofrep(String code, String message) {
        return bytes(StrictJson.MAPPER.createObjectNode().put("errorCode", code).put("errorDetails", message));
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return StrictJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body cannot be written", e);
        }
    }
}
