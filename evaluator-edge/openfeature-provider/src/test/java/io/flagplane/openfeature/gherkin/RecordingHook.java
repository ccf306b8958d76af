package io.flagplane.openfeature.gherkin;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.HookContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hook that records which stages ran, in order, and the details after and finally saw. */
final class RecordingHook implements Hook<Object> {

    final String name;
    final List<String> calls;
    final Map<String, FlagEvaluationDetails<?>> details = new ConcurrentHashMap<>();

    RecordingHook(String name, List<String> calls) {
        this.name = name;
        this.calls = calls;
    }

    RecordingHook() {
        this("hook", new CopyOnWriteArrayList<>());
    }

    boolean called(String stage) {
        return calls.contains(name + ":" + stage);
    }

    @Override
    public Optional<EvaluationContext> before(HookContext<Object> ctx, Map<String, Object> hints) {
        calls.add(name + ":before");
        return Optional.empty();
    }

    @Override
    public void after(HookContext<Object> ctx, FlagEvaluationDetails<Object> details, Map<String, Object> hints) {
        calls.add(name + ":after");
        this.details.put("after", details);
    }

    @Override
    public void error(HookContext<Object> ctx, Exception error, Map<String, Object> hints) {
        calls.add(name + ":error");
    }

    @Override
    public void finallyAfter(HookContext<Object> ctx, FlagEvaluationDetails<Object> details, Map<String, Object> hints) {
        calls.add(name + ":finally");
        this.details.put("finally", details);
    }
}
