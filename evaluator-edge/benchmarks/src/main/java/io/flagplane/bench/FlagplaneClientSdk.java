package io.flagplane.bench;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.ruleset.SnapshotFile;
import io.flagplane.sdk.FlagplaneClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Flagplane as a new user sets it up: the public {@link FlagplaneClient}, booted offline from a
 * snapshot file (the file a client with {@code snapshotFile(…)} keeps: the flags as
 * {@code flag-state} carries them), evaluating through {@link FlagplaneClient#getBoolean}. The
 * contexts are built as a caller builds them, {@code EvaluationContext.of(key, Map.of(…))}.
 */
public final class FlagplaneClientSdk implements BenchmarkSdk {

    private final FlagplaneClient client;
    private final EvaluationContext[] contexts;

    public FlagplaneClientSdk(List<RealWorldScenario.Person> people, Path dir) {
        Path file = dir.resolve("flagplane-flags.avro");
        try {
            SnapshotFile.write(file, states(RealWorldScenario.SHAPES), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.client = FlagplaneClient.builder().environment("production").snapshotFile(file).offline(true).build();
        this.contexts = contexts(people);
    }

    static EvaluationContext[] contexts(List<RealWorldScenario.Person> people) {
        EvaluationContext[] contexts = new EvaluationContext[people.size()];
        for (int i = 0; i < contexts.length; i++) {
            RealWorldScenario.Person p = people.get(i);
            contexts[i] = EvaluationContext.of(p.key(), Map.of("country", p.country(), "role", p.role(), "tier", p.tier()));
        }
        return contexts;
    }

    /** The shapes as the wire contract's {@code FlagState}. */
    static List<FlagState> states(List<RealWorldScenario.Shape> shapes) {
        List<FlagState> states = new ArrayList<>();
        for (RealWorldScenario.Shape shape : shapes) {
            List<Rule> rules = new ArrayList<>();
            for (int r = 0; r < shape.rules().size(); r++) {
                List<Condition> conditions = new ArrayList<>();
                for (RealWorldScenario.In in : shape.rules().get(r)) {
                    conditions.add(new Condition(in.attribute(), "in", in.values()));
                }
                rules.add(new Rule("rule-" + (r + 1), null, conditions, serve("on")));
            }
            Serve fallthrough = shape.split()
                    ? Serve.newBuilder().setSplit(new Split(List.of(new WeightedVariant("on", 5_000),
                            new WeightedVariant("off", 5_000)), null)).build()
                    : serve(shape.fallthrough() ? "on" : "off");
            List<Target> allow = shape.allow().isEmpty() ? List.of() : List.of(new Target("on", shape.allow()));
            states.add(FlagplaneSdk.state(shape.key(), FlagplaneSdk.definition(rules, fallthrough, allow, shape.deny())));
        }
        return states;
    }

    private static Serve serve(String variant) {
        return Serve.newBuilder().setVariant(variant).build();
    }

    @Override
    public String name() {
        return "flagplane (FlagplaneClient, offline from a snapshot file)";
    }

    @Override
    public boolean evaluate(String flag, int context) {
        return client.getBoolean(flag, false, contexts[context]);
    }

    @Override
    public void close() {
        client.close();
    }
}
