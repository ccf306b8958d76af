package io.flagplane.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.TrackingEventDetails;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.exceptions.FatalError;
import dev.openfeature.sdk.exceptions.GeneralError;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.sdk.FlagplaneClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenFeature provider over a {@link FlagplaneClient}: evaluation in process, with the client's
 * reasons, error codes and flag metadata (the flag's own, plus {@code flagVersion}), and the
 * specification's provider states and events:
 * <ul>
 * <li>NOT_READY until the client has a ruleset; evaluated then, every flag is
 *     {@code PROVIDER_NOT_READY} (never FLAG_NOT_FOUND: the flag may exist).</li>
 * <li>READY once it has one (caught up with Kafka, or loaded from the snapshot file).</li>
 * <li>FATAL when, before it has one, it fails in a way retrying cannot fix: Kafka rejects the
 *     credential, refuses the topics (an ACL), or every record is in a contract it cannot read.</li>
 * <li>ERROR when it has none after the ready timeout for any other reason (Kafka unreachable and
 *     no snapshot); READY is emitted when Kafka comes back and the ruleset arrives, after ERROR
 *     and after FATAL alike (the client keeps retrying, and a fixed credential should not need a
 *     restart).</li>
 * <li>STALE while a ruleset it has may be out of date: Kafka unreachable, the reader failed and is
 *     restarting (for any kind of failure: it keeps serving, fail-static), or serving a snapshot
 *     not yet caught up; READY again when current.</li>
 * <li>CONFIGURATION_CHANGED with the changed flag keys.</li>
 * </ul>
 *
 * <p>OpenFeature's Tracking API, {@code client.track("booking_confirmed", ctx, new
 * MutableTrackingEventDetails(99.5).add("plan", "pro"))}, becomes {@link FlagplaneClient#track}: the event name as the event key, the context's targeting
 * key, the details' value, and the details' fields as flat attributes (strings, booleans,
 * numbers; an instant becomes its ISO-8601 text). A nested structure or a list is refused, not
 * flattened: {@code a.b} keys invented here would be names nobody chose. A refused event is
 * counted ({@code invalid} in the client's tracking stats) and logged, never thrown: OpenFeature's
 * client passes a provider's exception straight to the application, and telemetry must not break it.
 * Exposures to running experiments are logged by the client as it evaluates.
 *
 * <pre>{@code
 * OpenFeatureAPI.getInstance().setProviderAndWait(new FlagplaneProvider(client));
 * Client features = OpenFeatureAPI.getInstance().getClient();
 * boolean on = features.getBooleanValue("checkout.new_ui", false, new ImmutableContext(userId));
 * }</pre>
 */
public final class FlagplaneProvider extends EventProvider {

    private static final Metadata METADATA = () -> "Flagplane";
    private static final Logger LOG = LoggerFactory.getLogger(FlagplaneProvider.class);

    private final FlagplaneClient client;
    private final Duration readyTimeout;
    /** Changes seen while the initial ruleset loads are part of getting ready, not configuration changes. */
    private volatile boolean initialized;
    /** initialize() ended without a ruleset (ERROR or FATAL): a later ruleset is announced with READY. */
    private volatile boolean startFailed;
    private final AtomicLong refusedEvents = new AtomicLong();

    public FlagplaneProvider(FlagplaneClient client) {
        this(client, Duration.ofSeconds(30));
    }

    /** @param readyTimeout how long {@link #initialize} waits for the client's ruleset */
    public FlagplaneProvider(FlagplaneClient client, Duration readyTimeout) {
        this.client = client;
        this.readyTimeout = readyTimeout;
    }

    @Override
    public Metadata getMetadata() {
        return METADATA;
    }

    @Override
    public void initialize(EvaluationContext evaluationContext) throws Exception {
        client.onAnyChange(keys -> {
            if (initialized) {
                emitProviderConfigurationChanged(ProviderEventDetails.builder()
                        .flagsChanged(List.copyOf(keys)).message("flags changed").build());
            }
        });
        client.onStatusChange(this::statusChanged);
        try {
            awaitRuleset();
        } catch (Exception e) {
            startFailed = true;
            throw e;
        }
        initialized = true;
    }

    /** Returns once the client has a ruleset; FATAL at once for what a retry cannot fix, ERROR at the timeout. */
    private void awaitRuleset() throws InterruptedException {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (true) {
            boolean ready = client.awaitReady(Duration.ofMillis(100));
            LiveRuleset.Status status = client.status();
            if (status.failedBeyondRetry() && (!ready || status.flags() == 0)) {
                throw new FatalError("Flagplane cannot get its flags: " + status.failure().describe()
                        + (status.lastTailFailure() == null ? "" : " (" + status.lastTailFailure() + ")"));
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new GeneralError("Flagplane has no ruleset after " + readyTimeout.toMillis()
                        + " ms: Kafka unreachable and no snapshot file to start from");
            }
        }
    }

    private void statusChanged(LiveRuleset.Status status) {
        if (!initialized) {
            if (startFailed && status.ready() && !status.stale() && !status.failedBeyondRetry()) {
                initialized = true;   // the start failed, and the ruleset has arrived since
                emitProviderReady(ProviderEventDetails.builder().message("flags loaded after a failed start").build());
            }
            return;
        }
        if (status.stale()) {
            String why = status.tailFailed()
                    ? "Flagplane's Kafka reader failed (" + status.lastTailFailure() + ") and is retrying; not current since "
                    : status.fromSnapshot() ? "serving the snapshot file until Kafka has been read; since "
                    : "Kafka unreachable since ";
            emitProviderStale(ProviderEventDetails.builder().message(why + status.staleSince()
                    + "; serving the last known flags").build());
        } else {
            emitProviderReady(ProviderEventDetails.builder().message("flags current again").build());
        }
    }

    @Override
    public void shutdown() {
        super.shutdown();
        client.close();
    }

    /**
     * OpenFeature's Tracking API: sends the event through the client (fire and forget). Never
     * throws: an event the client refuses is counted and logged (the 1st, 2nd, 4th, 8th... refusal).
     */
    @Override
    public void track(String eventName, EvaluationContext ctx, TrackingEventDetails details) {
        try {
            OptionalDouble value = details == null ? OptionalDouble.empty()
                    : details.getValue().map(n -> OptionalDouble.of(n.doubleValue())).orElse(OptionalDouble.empty());
            client.track(eventName, context(ctx), value, details == null ? Map.of() : attributes(details));
        } catch (IllegalArgumentException e) {
            long refused = refusedEvents.incrementAndGet();
            if (Long.bitCount(refused) == 1) {
                LOG.warn("a tracking event was refused and not sent ({} so far): {}", refused, e.getMessage());
            }
        }
    }

    /** The details' fields as flat attributes; nested values are passed on as maps and lists for the client to refuse. */
    static Map<String, Object> attributes(Structure details) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : details.asMap().entrySet()) {
            Value v = e.getValue();
            out.put(e.getKey(), v != null && v.isInstant() ? v.asInstant().toString() : plain(v));
        }
        return out;
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
        return convert(client.booleanDetail(key, defaultValue != null && defaultValue, context(ctx)), defaultValue);
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
        return convert(client.stringDetail(key, defaultValue, context(ctx)), defaultValue);
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
        return convert(client.numberDetail(key, defaultValue == null ? 0 : defaultValue, context(ctx)), defaultValue);
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
        Evaluation<Double> number = client.numberDetail(key, defaultValue == null ? 0 : defaultValue, context(ctx));
        if (number.isError()) {
            return ProviderEvaluation.<Integer>builder().value(defaultValue).reason("ERROR").errorCode(errorCode(number))
                    .errorMessage(number.errorMessage()).flagMetadata(metadata(number)).build();
        }
        if (number.isCodeDefault()) {
            return codeDefault(number, defaultValue);
        }
        double d = number.value();
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            return ProviderEvaluation.<Integer>builder().value(defaultValue).reason("ERROR").errorCode(ErrorCode.TYPE_MISMATCH)
                    .errorMessage("flag '" + key + "' is " + d + ", not an integer").flagMetadata(metadata(number)).build();
        }
        return ProviderEvaluation.<Integer>builder().value((int) d).variant(number.variant()).reason(number.reason().name())
                .flagMetadata(metadata(number)).build();
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
        Evaluation<Object> json = client.jsonDetail(key, null, context(ctx));
        if (json.isError()) {
            return ProviderEvaluation.<Value>builder().value(defaultValue).reason("ERROR").errorCode(errorCode(json))
                    .errorMessage(json.errorMessage()).flagMetadata(metadata(json)).build();
        }
        if (json.isCodeDefault()) {
            return codeDefault(json, defaultValue);
        }
        return ProviderEvaluation.<Value>builder().value(OpenFeatureValues.value(json.value())).variant(json.variant())
                .reason(json.reason().name()).flagMetadata(metadata(json)).build();
    }

    private static <T> ProviderEvaluation<T> convert(Evaluation<T> result, T defaultValue) {
        if (result.isError()) {
            return ProviderEvaluation.<T>builder().value(defaultValue).reason("ERROR").errorCode(errorCode(result))
                    .errorMessage(result.errorMessage()).flagMetadata(metadata(result)).build();
        }
        if (result.isCodeDefault()) {
            return codeDefault(result, defaultValue);
        }
        return ProviderEvaluation.<T>builder().value(result.value()).variant(result.variant()).reason(result.reason().name())
                .flagMetadata(metadata(result)).build();
    }

    /** A flag without an off variant, off: the caller's own default, reason DISABLED, no variant and no error. */
    private static <T> ProviderEvaluation<T> codeDefault(Evaluation<?> result, T defaultValue) {
        return ProviderEvaluation.<T>builder().value(defaultValue).reason(result.reason().name())
                .flagMetadata(metadata(result)).build();
    }

    private static ErrorCode errorCode(Evaluation<?> result) {
        return ErrorCode.valueOf(result.errorCode().name());
    }

    private static ImmutableMetadata metadata(Evaluation<?> result) {
        return OpenFeatureValues.metadata(result.flagVersion(), result.flagMetadata());
    }

    /** OpenFeature's context as the engine's: the targeting key, and every attribute as plain Java values. */
    static io.flagplane.evaluation.EvaluationContext context(EvaluationContext ctx) {
        if (ctx == null) {
            return io.flagplane.evaluation.EvaluationContext.empty();
        }
        Map<String, Object> attributes = new HashMap<>();
        for (Map.Entry<String, Value> e : ctx.asMap().entrySet()) {
            if (!io.flagplane.evaluation.EvaluationContext.TARGETING_KEY.equals(e.getKey())) {
                Object value = plain(e.getValue());
                if (value != null) {
                    attributes.put(e.getKey(), value);
                }
            }
        }
        String targetingKey = ctx.getTargetingKey();
        return io.flagplane.evaluation.EvaluationContext.of(targetingKey == null || targetingKey.isEmpty() ? null : targetingKey,
                attributes);
    }

    private static Object plain(Value value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isList()) {
            List<Object> items = new ArrayList<>();
            value.asList().forEach(v -> items.add(plain(v)));
            return items;
        }
        if (value.isStructure()) {
            Structure s = value.asStructure();
            Map<String, Object> map = new HashMap<>();
            s.asMap().forEach((k, v) -> map.put(k, plain(v)));
            return map;
        }
        return value.asObject();
    }
}
