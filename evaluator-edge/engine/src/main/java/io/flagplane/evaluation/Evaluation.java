package io.flagplane.evaluation;

import java.util.Map;

/**
 * The result of one evaluation. On success {@code errorCode} is null; on error the caller's
 * default is the value, the reason is {@link Reason#ERROR} and {@code errorMessage} says why.
 * {@code flagVersion} is 0 when no flag was found. {@code flagMetadata} is the flag's own
 * metadata (OpenFeature's flag metadata: String, Boolean, Long or Double values; never null,
 * empty on errors); the flag's version is not in it, delivery layers add that themselves.
 *
 * <p>A flag without an off variant that is disabled, killed or denies the key serves the
 * caller's default with reason {@link Reason#DISABLED}, no variant and no error: the
 * <em>code default</em> ({@link #isCodeDefault()}).
 *
 * <p>{@code experiment} is the key of the flag's RUNNING experiment when this result came from
 * the split that experiment measures (reason {@link Reason#SPLIT}, from that rule or the
 * fallthrough), else null: a delivery layer that sees it set logs an exposure. Such results are
 * pre-built with the flag like every other success, so marking them costs no allocation.
 */
public record Evaluation<T>(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage,
                            long flagVersion, Map<String, Object> flagMetadata, String experiment) {

    public Evaluation {
        flagMetadata = flagMetadata == null ? Map.of() : flagMetadata;
    }

    public Evaluation(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage, long flagVersion,
                      Map<String, Object> flagMetadata) {
        this(value, variant, reason, errorCode, errorMessage, flagVersion, flagMetadata, null);
    }

    public Evaluation(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage, long flagVersion) {
        this(value, variant, reason, errorCode, errorMessage, flagVersion, Map.of());
    }

    public static <T> Evaluation<T> error(T defaultValue, ErrorCode code, String message, long flagVersion) {
        return new Evaluation<>(defaultValue, null, Reason.ERROR, code, message, flagVersion);
    }

    public boolean isError() {
        return errorCode != null;
    }

    /** Whether this result came from the split of the flag's RUNNING experiment, so it is an exposure to log. */
    public boolean isExposure() {
        return experiment != null;
    }

    /** The flag chose not to serve a variant of its own: the caller's default, with reason DISABLED. */
    public boolean isCodeDefault() {
        return errorCode == null && variant == null && reason == Reason.DISABLED;
    }
}
