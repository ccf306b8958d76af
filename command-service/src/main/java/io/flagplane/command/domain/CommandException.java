package io.flagplane.command.domain;

/**
 * A refused command: a stable {@link ErrorCode}, the field it concerns (a JSON path such as
 * {@code variants[1].value}, or null) and a sentence for a human. Nothing was written.
 */
public class CommandException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String field;
    private final Long currentVersion;

    public CommandException(ErrorCode code, String field, String message) {
        this(code, field, message, null);
    }

    public CommandException(ErrorCode code, String field, String message, Long currentVersion) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.currentVersion = currentVersion;
    }

    public static CommandException invalid(String field, String message) {
        return new CommandException(ErrorCode.INVALID_FIELD, field, message);
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }

    /** The flag's version when the refusal concerns a version; null otherwise. */
    public Long currentVersion() {
        return currentVersion;
    }
}
