package io.flagplane.edge.http;

import io.flagplane.evaluation.ErrorCode;

/**
 * A request the node answers with an error: status, OpenFeature error code (what OFREP routes
 * send), the code the platform's REST shape sends when it says more than the status does, and
 * details. {@link EdgeErrors} renders it.
 */
final class OfrepError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final ErrorCode code;
    /** For REST routes; null means the OpenFeature code, or for {@code GENERAL} the status's own code. */
    final String restCode;
    /** For REST routes: the request field concerned ({@code events[3].eventKey}), or null. */
    final String field;

    OfrepError(int status, ErrorCode code, String details) {
        this(status, code, null, details);
    }

    OfrepError(int status, ErrorCode code, String restCode, String details) {
        this(status, code, restCode, null, details);
    }

    OfrepError(int status, ErrorCode code, String restCode, String field, String details) {
        super(details, null, false, false);
        this.status = status;
        this.code = code;
        this.restCode = restCode;
        this.field = field;
    }
}
