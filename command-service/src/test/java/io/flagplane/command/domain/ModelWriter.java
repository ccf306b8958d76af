package io.flagplane.command.domain;

import io.flagplane.avro.Actor;
import io.flagplane.avro.FlagEvent;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.AggregateRef;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A writer without Kafka, for tests: decides each command with its kind's decider against a
 * {@link WriteModel}, folds what it writes into the model (versions one after the other, at the
 * instant {@code now} says), and keeps the events. A refused request writes nothing.
 */
public final class ModelWriter {

    private final WriteModel model;
    private final Supplier<Instant> now;
    private final List<FlagEvent> log = new ArrayList<>();
    private final List<FlagEvent> written = new ArrayList<>();

    /** @param seed what the model holds before anything is written (environments, flags) */
    public ModelWriter(Supplier<Instant> now, FlagEvent... seed) {
        this.model = WriteModel.of(seed);
        this.now = now;
        log.addAll(List.of(seed));
    }

    public WriteModel model() {
        return model;
    }

    /** Every event written so far, in order. */
    public List<FlagEvent> written() {
        return written;
    }

    /** Writes the commands as one request by {@code Events.ALICE}; returns what they wrote. */
    public List<FlagEvent> write(Command... commands) {
        return write(Events.ALICE, null, List.of(commands));
    }

    /** As the single writer would answer a request: its future completes with the result, or fails with the refusal. */
    public CompletableFuture<CommandResult> submit(CommandRequest request) {
        try {
            write(request.actor(), request.reason(), request.commands());
            return CompletableFuture.completedFuture(new CommandResult(List.of(), null, false));
        } catch (CommandException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private List<FlagEvent> write(Actor actor, String reason, List<Command> commands) {
        for (Command command : commands) {
            Aggregates.precheck(command);
        }
        // decide everything first against a scratch copy, so a refusal leaves the model untouched
        WriteModel scratch = WriteModel.of(log.toArray(FlagEvent[]::new));
        List<FlagEvent> events = new ArrayList<>();
        for (Command command : commands) {
            for (Decision decision : Aggregates.decide(scratch, command)) {
                if (!decision.writes()) {
                    continue;
                }
                AggregateRef target = decision.target();
                long version = Aggregates.of(target).versionOf(scratch.state(target)) + 1;
                FlagEvent event = Events.on(target.environment(), target.key()).version(version).at(now.get()).by(actor)
                        .reason(reason).with(decision.payload());
                if (scratch.fold(event) == null) {
                    throw new IllegalStateException("a decided event does not fold: " + event);
                }
                events.add(event);
            }
        }
        for (FlagEvent event : events) {
            model.fold(event);
        }
        log.addAll(events);
        written.addAll(events);
        return events;
    }
}
