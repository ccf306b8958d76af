package io.flagplane.edge.http;

import io.flagplane.evaluation.ErrorCode;

/** A request OFREP answers with an error body: status, OpenFeature error code, details. */
final class OfrepError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final ErrorCode code;

    OfrepError(int status, ErrorCode code, String details) {
        super(details, null, false, false);
        this.status = status;
        this.code = code;
    }
}
