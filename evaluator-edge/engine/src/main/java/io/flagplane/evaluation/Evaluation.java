package io.flagplane.evaluation;

/**
 * The result of one evaluation. On success {@code errorCode} is null; on error the caller's
 * default is the value, the reason is {@link Reason#ERROR} and {@code errorMessage} says why.
 * {@code flagVersion} is 0 when no flag was found.
 */
public record Evaluation<T>(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage,
                            long flagVersion) {

    public static <T> Evaluation<T> error(T defaultValue, ErrorCode code, String message, long flagVersion) {
        return new Evaluation<>(defaultValue, null, Reason.ERROR, code, message, flagVersion);
    }

    public boolean isError() {
        return errorCode != null;
    }
}
