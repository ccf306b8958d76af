package io.flagplane.cli;

/**
 * An error answer from a Flagplane service: its HTTP status and the API's own error code and
 * sentence ({@code {"error":{"code","message","field"}}}). A 4xx exits 1, a 5xx exits 5.
 */
public final class ApiException extends CliException {

    private final int status;
    private final String code;
    private final String field;
    private final String body;

    public ApiException(String service, int status, String code, String message, String field, String body) {
        super(status >= 500 ? ExitCode.SERVER_ERROR : ExitCode.REFUSED, describe(service, status, code, message, field));
        this.status = status;
        this.code = code;
        this.field = field;
        this.body = body;
    }

    private static String describe(String service, int status, String code, String message, String field) {
        return service + " answered " + status + " " + code + ": " + message + (field == null ? "" : " (field: " + field + ")");
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    /** The answer's body as the service sent it (printed as is with --output json). */
    public String body() {
        return body;
    }
}
