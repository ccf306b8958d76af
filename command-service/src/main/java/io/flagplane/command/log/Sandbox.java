package io.flagplane.command.log;

import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ReadModel;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * What the log would hold after some requests, without writing them: each request is staged as
 * the writer stages it (the same deciders, the same folds, the same change-set rules), at the
 * instant it is said to happen, over the model plus what the requests before it decided. Nothing
 * reaches Kafka or the model; the sandbox is thrown away with its answers. For the preview of the
 * future: what a flag will be once pending scheduled changes and plan steps have applied.
 *
 * <p>Not thread-safe; the model under it may move meanwhile (a sandbox reads it as it is when asked).
 */
public final class Sandbox {

    private final Overlay view;

    public Sandbox(ReadModel base) {
        this.view = new Overlay(base);
    }

    /** The model with every request applied so far laid over it. */
    public ReadModel view() {
        return view;
    }

    /**
     * Decides the request over {@link #view()} at {@code at} and, when it is accepted, lays what it
     * decided over the view; a refused request changes nothing and throws its refusal.
     */
    public void apply(CommandRequest request, Instant at) throws CommandException {
        Staged staged = new Stager(Clock.fixed(at, ZoneOffset.UTC)).stage(request, view);
        view.putAll(staged.states());
    }
}
