package io.flagplane.command.domain;

import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.RecordKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a held change set (a change request, a scheduled change) touches and at which versions:
 * recorded when it is drafted ({@code draftedAgainst}: each flag or segment, by its key part on
 * {@code flag-events}, with its version then, 0 for one that did not exist), and compared when it
 * applies, so a change never lands silently on something that moved in between.
 */
final class Drafted {

    /** One flag or segment whose version is not the one drafted against. */
    record Moved(String key, long drafted, long now) {
    }

    private Drafted() {
    }

    /** Each flag or segment the commands touch (an experiment's flag for an experiment command, the plan for a plan command), with its version now. */
    static Map<String, Long> against(ReadModel model, List<Command> commands) {
        Map<String, Long> drafted = new LinkedHashMap<>();
        for (Command inner : commands) {
            AggregateRef target = inner instanceof Command.OnFlag f ? f.flag() : inner instanceof Command.OnSegment s ? s.segment()
                    : inner instanceof Command.OnExperiment e ? ExperimentRules.flagOf(model, e)
                    : inner instanceof Command.OnPlan p ? p.plan() : null;
            if (target != null) {
                drafted.putIfAbsent(RecordKeys.parse(target.eventKey()).key(), versionOf(model, target));
            }
        }
        return drafted;
    }

    /** What moved since {@code drafted} was recorded, in its order; empty when nothing did. */
    static List<Moved> moved(ReadModel model, String environment, Map<String, Long> drafted) {
        List<Moved> moved = new ArrayList<>();
        drafted.forEach((key, then) -> {
            long now = versionOf(model, AggregateRef.ofEventKey(RecordKeys.of(environment, key)));
            if (now != then) {
                moved.add(new Moved(key, then, now));
            }
        });
        return moved;
    }

    private static long versionOf(ReadModel model, AggregateRef target) {
        Object state = model.state(target);
        return state == null ? 0 : Aggregates.of(target).versionOf(state);
    }
}
