package io.flagplane.command.http;

import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Hands parsed commands to the single writer and waits for its answer. Everything that does not
 * depend on state is checked first, on the caller's thread, so that a command that can only be
 * refused never joins a batch with other callers' commands. The Idempotency-Key travels with a
 * fingerprint of the request as sent, so reusing a key for a different request is refused.
 */
final class Submission {

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final int MAX_REASON = 1_000;

    private final CommandProcessor processor;
    private final ReadModel model;
    private final Duration timeout;

    Submission(CommandProcessor processor, ReadModel model, Duration timeout) {
        this.processor = processor;
        this.model = model;
        this.timeout = timeout;
    }

    CommandResult execute(Context ctx, List<Command> commands, String reason) {
        return execute(ctx, commands, reason, false);
    }

    /**
     * @param commands       as parsed; a plan command is followed by the commands of its change here
     *                       ({@link PlanChangeSets#expand}), after the caller's checks of who may ask
     * @param policyBypassed an admin changes a protected scope directly: every event records it
     */
    CommandResult execute(Context ctx, List<Command> parsed, String reason, boolean policyBypassed) {
        List<Command> commands = PlanChangeSets.expand(model, parsed);
        if (reason != null && reason.length() > MAX_REASON) {
            throw CommandException.invalid("reason", "reason is longer than " + MAX_REASON + " characters");
        }
        String idempotencyKey = ctx.header("Idempotency-Key");
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw CommandException.invalid("Idempotency-Key", "Idempotency-Key is 1 to 200 printable ASCII characters");
        }
        for (Command command : commands) {
            Aggregates.precheck(command);
        }
        CommandRequest request = new CommandRequest(commands, Requests.principal(ctx).actor(), reason, idempotencyKey,
                idempotencyKey == null ? null : fingerprint(ctx), policyBypassed);
        try {
            CommandResult result = processor.submit(request).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result.replayed()) {
                ctx.header("Idempotent-Replayed", "true");
            }
            return result;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandException refused) {
                throw refused;
            }
            throw CommandErrors.internal(ctx, e.getCause());
        } catch (TimeoutException e) {
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "no confirmation from Kafka within "
                    + timeout.toSeconds() + " s; the outcome is unknown, retry with the same Idempotency-Key");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(ErrorCode.UNAVAILABLE, null, "interrupted");
        }
    }

    /** SHA-256 of the request as sent (method, path, If-Match, body): a retry repeats all four. */
    private static String fingerprint(Context ctx) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String ifMatch = ctx.header("If-Match");
            digest.update((ctx.method().name() + " " + ctx.path() + "\n" + (ifMatch == null ? "" : ifMatch) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            digest.update(ctx.bodyAsBytes());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
