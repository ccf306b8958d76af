package io.flagplane.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.exceptions.GeneralError;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.sdk.FlagplaneClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenFeature provider over a {@link FlagplaneClient}: evaluation in process, with the client's
 * reasons and error codes, and provider events — READY when the client has a ruleset,
 * CONFIGURATION_CHANGED with the changed flag keys, STALE while Kafka is unreachable or the
 * client's Kafka reader is restarting after a failure (READY again when it is current), ERROR if
 * the client never gets a ruleset.
 *
 * <pre>{@code
 * OpenFeatureAPI.getInstance().setProviderAndWait(new FlagplaneProvider(client));
 * Client features = OpenFeatureAPI.getInstance().getClient();
 * boolean on = features.getBooleanValue("checkout.new_ui", false, new ImmutableContext(userId));
 * }</pre>
 */
public final class FlagplaneProvider extends EventProvider {

    private static final Metadata METADATA = () -> "Flagplane";

    private final FlagplaneClient client;
    private final Duration readyTimeout;
    /** Changes seen while the initial ruleset loads are part of getting ready, not configuration changes. */
    private volatile boolean initialized;

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
        client.onStatusChange(status -> {
            if (!initialized) {
                return;
            }
            if (status.stale()) {
                emitProviderStale(ProviderEventDetails.builder().message((status.tailFailed()
                        ? "Flagplane's Kafka reader failed and is restarting; not current since "
                        : "Kafka unreachable since ") + status.staleSince() + "; serving the last known flags").build());
            } else {
                emitProviderReady(ProviderEventDetails.builder().message("flags current again").build());
            }
        });
        if (!client.awaitReady(readyTimeout)) {
            throw new GeneralError("Flagplane has no ruleset after " + readyTimeout.toSeconds()
                    + " s: Kafka unreachable and no snapshot file to start from");
        }
        initialized = true;
    }

    @Override
    public void shutdown() {
        super.shutdown();
        client.close();
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
        return ProviderEvaluation.<Value>builder().value(Value.objectToValue(json.value())).variant(json.variant())
                .reason(json.reason().name()).flagMetadata(metadata(json)).build();
    }

    private static <T> ProviderEvaluation<T> convert(Evaluation<T> result, T defaultValue) {
        if (result.isError()) {
            return ProviderEvaluation.<T>builder().value(defaultValue).reason("ERROR").errorCode(errorCode(result))
                    .errorMessage(result.errorMessage()).flagMetadata(metadata(result)).build();
        }
        return ProviderEvaluation.<T>builder().value(result.value()).variant(result.variant()).reason(result.reason().name())
                .flagMetadata(metadata(result)).build();
    }

    private static ErrorCode errorCode(Evaluation<?> result) {
        return ErrorCode.valueOf(result.errorCode().name());
    }

    private static ImmutableMetadata metadata(Evaluation<?> result) {
        return result.flagVersion() == 0 ? ImmutableMetadata.EMPTY
                : ImmutableMetadata.builder().addLong("flagVersion", result.flagVersion()).build();
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
