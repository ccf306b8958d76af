package io.flagplane.command.log;

import io.flagplane.avro.FlagEvent;
import io.flagplane.command.domain.Aggregate;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Decision;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.contract.AggregateRef;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns one request into the events it writes, without Kafka: each command is decided by its
 * kind's pure decider against the state so far (the committed model, the batch's earlier
 * decisions, and the request's own earlier commands), and each decision that writes becomes an
 * envelope and is folded so the next command sees it.
 *
 * <p>Promises: per target, versions follow the state's version without gaps; an event's
 * occurredAt never goes backwards within a target; the events of a change set share one id and
 * carry their index; the idempotency key and (with it) the request fingerprint are on every
 * event, so a retry can be recognised after a restart. A refused command refuses the whole request
 * and stages nothing.
 */
final class Stager {

    private final Clock clock;

    Stager(Clock clock) {
        this.clock = clock;
    }

    /**
     * Decides every command of the request against {@code view}; throws the first refusal
     * (naming {@code commands[i]} when the request has several).
     */
    Staged stage(CommandRequest request, ReadModel view) {
        String changeSetId = request.isChangeSet() ? UUID.randomUUID().toString() : null;
        Overlay local = new Overlay(view);
        List<FlagEvent> events = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<Command> commands = request.commands();
        boolean[] wrote = new boolean[commands.size()];
        for (int c = 0; c < commands.size(); c++) {
            int before = events.size();
            List<Decision> decisions;
            try {
                decisions = Aggregates.decide(local, commands.get(c));
            } catch (CommandException e) {
                throw commands.size() > 1 ? e.under("commands[" + c + "]") : e;
            }
            if (changeSetId == null && decisions.stream().filter(Decision::writes).count() > 1) {
                // a single command that writes several events (a kill that pauses a rollout plan) is a change set too;
                // a request of one command has written nothing before it
                changeSetId = UUID.randomUUID().toString();
            }
            for (Decision decision : decisions) {
                AggregateRef target = decision.target();
                Aggregate<?> aggregate = Aggregates.of(target);
                Object current = local.state(target);
                if (!decision.writes()) {
                    changes.add(new Change(target, current, aggregate.versionOf(current), false, null, null));
                    continue;
                }
                long version = aggregate.versionOf(current) + 1;
                FlagEvent event = FlagEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setEnvironment(target.environment())
                        .setFlagKey(target.key())
                        .setVersion(version)
                        .setOccurredAt(occurredAt(aggregate.lastChangeOf(current)))
                        .setActor(request.actor())
                        .setReason(request.reason())
                        .setChangeSetId(changeSetId)
                        .setIdempotencyKey(request.idempotencyKey())
                        .setChangeSetIndex(changeSetId == null ? null : events.size())
                        .setRequestFingerprint(request.idempotencyKey() == null ? null : request.fingerprint())
                        .setPolicyBypassed(request.policyBypassed())
                        .setPayload(decision.payload())
                        .build();
                Aggregate.Folded<?> folded = aggregate.foldUntyped(current, event);
                if (!folded.applied()) {
                    throw new IllegalStateException("decided event does not fold: " + folded.detail());
                }
                local.put(target, folded.state());
                events.add(event);
                changes.add(new Change(target, folded.state(), version, true, null, null));
            }
            wrote[c] = events.size() > before;
        }
        return new Staged(events, changes, local.layer(), changeSetId, wrote);
    }

    /**
     * Now, or the target's last change time if the clock says earlier (a new instance on a host
     * whose clock is behind): event times never go backwards within a target, so "the flag as of
     * T" is well defined and can be found by binary search over its versions.
     */
    private Instant occurredAt(Instant lastChange) {
        Instant now = clock.instant();
        return lastChange != null && lastChange.isAfter(now) ? lastChange : now;
    }
}
