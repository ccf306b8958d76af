package io.flagplane.edge.http;

import static io.flagplane.edge.http.EdgeAdmission.environment;
import static io.flagplane.edge.http.JsonResponses.json;
import static io.flagplane.edge.http.JsonResponses.render;

import io.flagplane.auth.Authenticator;
import io.flagplane.auth.Role;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.http.JsonInputException;
import io.flagplane.reporting.tracking.InvalidTrackingEvent;
import io.flagplane.reporting.tracking.TrackedEvent;
import io.flagplane.reporting.tracking.TrackingLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code POST /api/v1/track}: what users did, for experiments and guardrails, to
 * {@code tracking-events}. Runs after {@link EdgeAdmission}, so the caller needs a token that may
 * evaluate in the request's environment (a {@code viewer}); an event that names another
 * environment needs one there too, and a node that serves it.
 *
 * <p>Answers: {@code 202 {"accepted": n}} once every event is in the node's buffer (Kafka gets it
 * from a background thread); {@code 400 PARSE_ERROR} for a body that is not one JSON object;
 * {@code 400 INVALID_FIELD} naming the field ({@code events[3].eventKey} in a batch: the whole
 * batch is refused, nothing is taken); {@code 413 BODY_TOO_LARGE} beyond 256 KiB;
 * {@code 503 TRACKING_BUFFER_FULL} with {@code Retry-After} when the buffer has no room for the
 * request (nothing taken: it never waits); {@code 404 TRACKING_DISABLED} when the node takes none.
 */
final class TrackRoutes {

    private final TrackingLog tracking;
    private final EdgeAdmission admission;
    private final TrackingBody bodies;

    TrackRoutes(TrackingLog tracking, EdgeAdmission admission) {
        this.tracking = tracking;
        this.admission = admission;
        this.bodies = new TrackingBody(tracking.rules(), tracking.settings().maxBatch());
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/track", this::track);
    }

    private void track(Context ctx) {
        if (!tracking.enabled()) {
            throw new OfrepError(404, ErrorCode.GENERAL, "TRACKING_DISABLED",
                    "this node does not take tracking events (edge.tracking.enabled=false)");
        }
        String environment = environment(ctx);
        TrackingBody.Parsed parsed;
        try {
            parsed = bodies.parse(ctx.bodyAsBytes(), environment);
        } catch (InvalidTrackingEvent e) {
            tracking.countInvalid(1);
            throw new OfrepError(400, ErrorCode.GENERAL, "INVALID_FIELD", e.field(), e.getMessage());
        } catch (JsonInputException | OfrepError e) {
            tracking.countInvalid(1);
            throw e;
        }
        for (int i = 0; i < parsed.events().size(); i++) {
            admitEnvironment(ctx, parsed.events().get(i), environment, parsed.batch() ? "events[" + i + "].environment"
                    : "environment");
        }
        if (!tracking.submit(parsed.events())) {
            ctx.header("Retry-After", "1");
            throw new OfrepError(503, ErrorCode.GENERAL, "TRACKING_BUFFER_FULL", "this node's tracking buffer is full;"
                    + " none of the " + parsed.events().size() + " events was taken: retry in a moment");
        }
        json(ctx, 202, render(gen -> {
            gen.writeStartObject();
            gen.writeNumberField("accepted", parsed.events().size());
            gen.writeEndObject();
        }));
    }

    /** An event in another environment than the request's: the node must serve it and the token may evaluate there. */
    private void admitEnvironment(Context ctx, TrackedEvent event, String requested, String field) {
        if (event.environment().equals(requested)) {
            return;
        }
        if (!admission.serves(event.environment())) {
            tracking.countInvalid(1);
            throw new OfrepError(400, ErrorCode.GENERAL, "ENVIRONMENT_NOT_SERVED", field, field + " names environment '"
                    + EdgeErrors.abbreviate(event.environment()) + "', which this node does not serve");
        }
        Authenticator.require(EdgeAdmission.principal(ctx), Role.VIEWER, event.environment());
    }
}
