package io.flagplane.command.domain;

import java.util.List;

/**
 * A refused command: a stable {@link ErrorCode}, the field it concerns (a JSON path such as
 * {@code variants[1].value}, or null) and a sentence for a human. Nothing was written.
 */
public class CommandException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String field;
    private final Long currentVersion;
    private final List<String> details;

    public CommandException(ErrorCode code, String field, String message) {
        this(code, field, message, null, List.of());
    }

    public CommandException(ErrorCode code, String field, String message, Long currentVersion) {
        this(code, field, message, currentVersion, List.of());
    }

    /** @param details items the client may act on, e.g. the flags that use a segment */
    public CommandException(ErrorCode code, String field, String message, Long currentVersion, List<String> details) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.currentVersion = currentVersion;
        this.details = List.copyOf(details);
    }

    /** The same refusal with its field path under {@code prefix} (e.g. {@code commands[2]}). */
    public CommandException under(String prefix) {
        String path = field == null ? prefix : prefix + "." + field;
        return new CommandException(code, path, getMessage(), currentVersion, details);
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

    public List<String> details() {
        return details;
    }
}
