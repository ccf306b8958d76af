package io.flagplane.edge.it;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.fixtures.States;
import java.util.List;

/** The flags the edge tests serve: one of each type, a split, a deny list. */
final class Flags {

    private Flags() {
    }

    static FlagState checkoutNewUi(long version) {
        FlagDefinition definition = FlagDefinition.newBuilder(States.definition(FlagType.BOOLEAN, "true", "false"))
                .setDenyList(List.of("blocked-user")).build();
        return States.state("production", "checkout.new_ui", version, definition);
    }

    /** A string flag with OpenFeature metadata: a ticket, a count, a ratio, a switch. */
    static FlagState withMetadata() {
        FlagDefinition definition = FlagDefinition.newBuilder(States.definition(FlagType.STRING, "\"new\"", "\"old\""))
                .setMetadata(java.util.Map.of("ticket", "JIRA-7", "count", 2L, "ratio", 0.1, "beta", true)).build();
        return States.state("production", "copy.headline", 5, definition);
    }

    /** A killed flag without an off variant: it answers the code default. */
    static FlagState killedWithoutOffVariant() {
        FlagDefinition definition = FlagDefinition.newBuilder(States.definition(FlagType.STRING, "\"a\"", "\"b\""))
                .setOffVariant(null).build();
        return FlagState.newBuilder(States.state("production", "copy.footer", 2, definition)).setKilled(true).build();
    }

    static FlagState killed(FlagState state, long version) {
        return FlagState.newBuilder(state).setVersion(version).setKilled(true).build();
    }

    static FlagState buttonColor() {
        return States.state("production", "button.color", 1, States.definition(FlagType.STRING, "\"green\"", "\"blue\""));
    }

    static FlagState maxItems() {
        return States.state("production", "cart.max-items", 2, States.definition(FlagType.NUMBER, "20", "10"));
    }

    static FlagState discountRate() {
        return States.state("production", "discount.rate", 1, States.definition(FlagType.NUMBER, "0.15", "0"));
    }

    static FlagState banner() {
        return States.state("production", "home.banner", 1, States.definition(FlagType.JSON, "{\"title\":\"Hello\",\"slots\":3}",
                "{}"));
    }

    /** 50/50 between on and off: needs a targeting key. */
    static FlagState split() {
        FlagDefinition definition = FlagDefinition.newBuilder(States.definition(FlagType.BOOLEAN, "true", "false"))
                .setFallthrough(Serve.newBuilder().setSplit(new Split(List.of(new WeightedVariant("on", 5_000),
                        new WeightedVariant("off", 5_000)), null)).build())
                .build();
        return States.state("production", "search.semantic", 1, definition);
    }

    /** Seed 001's tiers: on for pro and enterprise users, off for everyone else. */
    static FlagState tiers() {
        FlagDefinition definition = FlagDefinition.newBuilder(States.definition(FlagType.BOOLEAN, "true", "false"))
                .setRules(List.of(new Rule("paying", null, List.of(new Condition("tier", "in", List.of("pro", "enterprise"))),
                        Serve.newBuilder().setVariant("on").build())))
                .setFallthrough(Serve.newBuilder().setVariant("off").build())
                .build();
        return States.state("production", "action_plan.customization", 1, definition);
    }

    static FlagState inStaging() {
        return States.state("staging", "staging.only", 1, States.definition(FlagType.BOOLEAN, "true", "false"));
    }

    static FlagState inDev() {
        return States.state("dev", "dev.only", 1, States.definition(FlagType.BOOLEAN, "true", "false"));
    }
}
