package io.flagplane.projection.query;

/** A query the projection answers with an error: a machine-readable code, the field at fault, a sentence. */
public final class QueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final QueryErrorCode code;
    private final String field;

    public QueryException(QueryErrorCode code, String field, String message) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public static QueryException badParameter(String field, String message) {
        return new QueryException(QueryErrorCode.INVALID_PARAMETER, field, message);
    }

    public static QueryException notFound(QueryErrorCode code, String message) {
        return new QueryException(code, null, message);
    }

    public static QueryException unavailable(String message) {
        return new QueryException(QueryErrorCode.UNAVAILABLE, null, message);
    }

    public QueryErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }
}
