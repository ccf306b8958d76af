package io.flagplane.projection.query;

/** A query the projection answers with an error: HTTP status, machine-readable code, the field at fault. */
public final class QueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;

    public QueryException(int status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static QueryException badParameter(String field, String message) {
        return new QueryException(400, "INVALID_PARAMETER", field, message);
    }

    public static QueryException notFound(String code, String message) {
        return new QueryException(404, code, null, message);
    }

    public static QueryException unavailable(String message) {
        return new QueryException(503, "UNAVAILABLE", null, message);
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
}
