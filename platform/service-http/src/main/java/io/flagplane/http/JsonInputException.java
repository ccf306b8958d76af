package io.flagplane.http;

/**
 * A request body or parameter that cannot be read: bad UTF-8, not JSON, JSON with trailing
 * content, duplicate fields, nesting too deep, a number no double can hold, an instant out of
 * range. The message is a sentence for the API's user and never names a library or class; each
 * API maps this to its own 400 error.
 */
public final class JsonInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public JsonInputException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    /** The field or parameter concerned, or null for the body as a whole. */
    public String field() {
        return field;
    }
}
