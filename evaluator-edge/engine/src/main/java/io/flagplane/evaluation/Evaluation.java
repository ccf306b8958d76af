package io.flagplane.evaluation;

import java.util.Map;

/**
 * The result of one evaluation. On success {@code errorCode} is null; on error the caller's
 * default is the value, the reason is {@link Reason#ERROR} and {@code errorMessage} says why.
 * {@code flagVersion} is 0 when no flag was found. {@code flagMetadata} is the flag's own
 * metadata (OpenFeature's flag metadata: String, Boolean, Long or Double values; never null,
 * empty on errors); the flag's version is not in it, delivery layers add that themselves.
 *
 * <p>A flag without an off variant that is disabled, killed, denies the key or misses a
 * prerequisite serves the caller's default with reason {@link Reason#DISABLED} (or
 * {@link Reason#PREREQUISITE_FAILED}), no variant and no error: the <em>code default</em>
 * ({@link #isCodeDefault()}).
 *
 * <p>A result with reason {@link Reason#PREREQUISITE_FAILED} carries two more metadata entries,
 * so that every delivery layer that renders metadata (OFREP, the REST routes, the SDK, the
 * OpenFeature provider) says which prerequisite failed without knowing about prerequisites:
 * {@value #PREREQUISITE} (the prerequisite's flag key) and {@value #REASON_DETAIL} (a sentence,
 * e.g. "prerequisite charges.engine served off, needs on").
 *
 * <p>{@code experiment} is the key of the flag's RUNNING experiment when this result came from
 * the split that experiment measures (reason {@link Reason#SPLIT}, from that rule or the
 * fallthrough), else null: a delivery layer that sees it set logs an exposure. {@code plan} is
 * the key of the rollout plan running on the flag (every result of such a flag carries it, errors
 * aside): a delivery layer logs those that serve a variant as plan exposures. Both are set on
 * results pre-built with the flag like every other success, so marking them costs no allocation.
 */
public record Evaluation<T>(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage,
                            long flagVersion, Map<String, Object> flagMetadata, String experiment, String plan) {

    /** Metadata key of a {@link Reason#PREREQUISITE_FAILED} result: the key of the prerequisite that failed. */
    public static final String PREREQUISITE = "prerequisite";
    /** Metadata key of a {@link Reason#PREREQUISITE_FAILED} result: a sentence saying what it served and what was needed. */
    public static final String REASON_DETAIL = "reasonDetail";

    public Evaluation {
        flagMetadata = flagMetadata == null ? Map.of() : flagMetadata;
    }

    public Evaluation(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage, long flagVersion,
                      Map<String, Object> flagMetadata, String experiment) {
        this(value, variant, reason, errorCode, errorMessage, flagVersion, flagMetadata, experiment, null);
    }

    public Evaluation(T value, String variant, Reason reason, ErrorCode errorCode, String errorMessage, long flagVersion,
                      Map<String, Object> flagMetadata) {
        this(value, variant, reason, errorCode, errorMessage, flagVersion, flagMetadata, null, null);
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

    /** Whether this result served a variant of a flag under a running rollout plan, so it is a plan exposure to log. */
    public boolean isPlanExposure() {
        return plan != null && variant != null;
    }

    /** The flag chose not to serve a variant of its own: the caller's default, with reason DISABLED or PREREQUISITE_FAILED. */
    public boolean isCodeDefault() {
        return errorCode == null && variant == null && (reason == Reason.DISABLED || reason == Reason.PREREQUISITE_FAILED);
    }

    /** The sentence saying why a {@link Reason#PREREQUISITE_FAILED} result was served; null for any other. */
    public String reasonDetail() {
        return reason == Reason.PREREQUISITE_FAILED && flagMetadata.get(REASON_DETAIL) instanceof String detail ? detail : null;
    }
}
