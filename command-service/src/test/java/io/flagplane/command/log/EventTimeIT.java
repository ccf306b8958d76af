package io.flagplane.command.log;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagState;
import io.flagplane.command.domain.Command;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.Events;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A writer whose clock steps back (a new instance on a host that is behind) never writes an earlier event time. */
@ExtendWith(SharedTestStack.class)
class EventTimeIT {

    private static final Actor ACTOR = new Actor("alice@example.com", ActorKind.USER);

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void event_times_never_go_backwards_within_a_flag(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("time");
        Instant t = Instant.parse("2026-11-21T12:00:00Z");
        MovableClock clock = new MovableClock(t);
        try (CommandProcessor processor = new CommandProcessor(new CommandProcessor.Settings(stack.bootstrapServers(),
                topics.flagEvents(), TestStack.uniqueName("time-writer"), Duration.ofSeconds(5), 100),
                stack.registryClient(), new WriteModel(Duration.ofHours(48)), clock).start(Duration.ofSeconds(30))) {
            processor.submit(CommandRequest.of(new Command.CreateEnvironment("production", null), ACTOR, null))
                    .get(20, TimeUnit.SECONDS);
            FlagRef flag = new FlagRef("production", "checkout.new_ui");
            submit(processor, new Command.CreateFlag(flag, Events.booleanFlag("checkout.new_ui"), true));

            clock.now = t.minus(Duration.ofHours(1));
            FlagState killed = submit(processor, new Command.Kill(flag, null));
            assertThat(killed.getLastChange().getOccurredAt()).isEqualTo(t);

            clock.now = t.plusSeconds(5);
            FlagState revived = submit(processor, new Command.Revive(flag, null));
            assertThat(revived.getLastChange().getOccurredAt()).isEqualTo(t.plusSeconds(5));
            assertThat(revived.getVersion()).isEqualTo(3);
        }
    }

    private static FlagState submit(CommandProcessor processor, Command command) throws Exception {
        CommandResult result = processor.submit(CommandRequest.of(command, ACTOR, null)).get(20, TimeUnit.SECONDS);
        return (FlagState) result.changes().get(0).state();
    }
}
