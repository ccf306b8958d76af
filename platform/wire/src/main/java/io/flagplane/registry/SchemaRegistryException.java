package io.flagplane.registry;

/**
 * A registry call that did not succeed. {@link #errorCode()} is the Confluent error code
 * (40401, 409, 42201, 50001 ...) when the registry sent one, {@link #httpStatus()} the HTTP
 * status, both 0 when no answer arrived.
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What the caller can do about it. */
    public enum Kind {
        /** Subject, version or schema id unknown (404xx): final. */
        NOT_FOUND,
        /** The schema breaks the subject's compatibility level (409): final. */
        INCOMPATIBLE,
        /** The schema, version or compatibility level is malformed (422xx): final. */
        INVALID,
        /** Missing or refused credentials (401, 403): final until reconfigured. */
        UNAUTHORIZED,
        /** No answer, a timeout, or a server error (5xx): worth a retry. */
        UNAVAILABLE,
        /** Any other refusal, or an answer that does not follow the protocol. */
        PROTOCOL
    }

    private final Kind kind;
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(Kind kind, int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(Kind kind, int httpStatus, int errorCode, String message) {
        this(kind, httpStatus, errorCode, message, null);
    }

    public static SchemaRegistryException subjectNotFound(String subject) {
        return new SchemaRegistryException(Kind.NOT_FOUND, 404, ErrorCodes.SUBJECT_NOT_FOUND,
                "Subject '" + subject + "' not found.");
    }

    public static SchemaRegistryException versionNotFound(String subject, String version) {
        return new SchemaRegistryException(Kind.NOT_FOUND, 404, ErrorCodes.VERSION_NOT_FOUND,
                "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static SchemaRegistryException schemaNotFound(String detail) {
        return new SchemaRegistryException(Kind.NOT_FOUND, 404, ErrorCodes.SCHEMA_NOT_FOUND,
                "Schema not found: " + detail);
    }

    public static SchemaRegistryException invalidSchema(String detail, Throwable cause) {
        return new SchemaRegistryException(Kind.INVALID, 422, ErrorCodes.INVALID_SCHEMA,
                "Invalid schema: " + detail, cause);
    }

    /** Maps a Confluent error answer to a kind. */
    public static Kind kindOf(int httpStatus) {
        if (httpStatus == 404) {
            return Kind.NOT_FOUND;
        }
        if (httpStatus == 409) {
            return Kind.INCOMPATIBLE;
        }
        if (httpStatus == 422) {
            return Kind.INVALID;
        }
        if (httpStatus == 401 || httpStatus == 403) {
            return Kind.UNAUTHORIZED;
        }
        if (httpStatus >= 500 || httpStatus == 408 || httpStatus == 429) {
            return Kind.UNAVAILABLE;
        }
        return Kind.PROTOCOL;
    }

    public Kind kind() {
        return kind;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    /** The Confluent error codes this project sends and understands. */
    public static final class ErrorCodes {
        public static final int SUBJECT_NOT_FOUND = 40401;
        public static final int VERSION_NOT_FOUND = 40402;
        public static final int SCHEMA_NOT_FOUND = 40403;
        public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
        public static final int INCOMPATIBLE_SCHEMA = 409;
        public static final int INVALID_SCHEMA = 42201;
        public static final int INVALID_VERSION = 42202;
        public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
        public static final int STORE_ERROR = 50001;

        private ErrorCodes() {
        }
    }
}
