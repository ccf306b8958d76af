package io.flagplane.projection.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.http.Instants;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import io.flagplane.projection.query.Names;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.flagplane.mapping.ContextJson;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Iterator;

/**
 * What a request to the projection carries, read and checked before any query runs: names in
 * the path, query parameters, the evaluate body. Every refusal is a {@link QueryException} or a
 * {@link JsonInputException} naming the parameter, never an exception from a parser.
 */
final class RequestInput {

    static final int MAX_LIMIT = 500;
    static final int DEFAULT_LIMIT = 50;

    private RequestInput() {
    }

    /** The {@code {env}} path parameter. */
    static String environment(Context ctx) {
        return Names.environment(ctx.pathParam("env"), "env");
    }

    /** An optional {@code ?environment=} filter. */
    static String environmentFilter(Context ctx) {
        String environment = text(ctx, "environment");
        return environment == null ? null : Names.environment(environment, "environment");
    }

    static String flagKey(Context ctx) {
        return Names.flagKey(ctx.pathParam("key"), "key");
    }

    static String segmentKey(Context ctx) {
        return Names.segmentKey(ctx.pathParam("key"), "key");
    }

    /** A query parameter, trimmed; null when absent or blank. */
    static String text(Context ctx, String name) {
        String text = ctx.queryParam(name);
        return text == null || text.isBlank() ? null : text.strip();   // strip, not trim: trim eats NUL and other controls
    }

    static int limit(Context ctx) {
        String text = text(ctx, "limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        long limit = wholeNumber(text);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw QueryException.badParameter("limit", "\"limit\" must be a whole number from 1 to " + MAX_LIMIT + ", not '"
                    + Names.abbreviate(text) + "'");
        }
        return (int) limit;
    }

    /** An ISO-8601 instant between years 0000 and 9999, or null when absent. */
    static Instant instant(Context ctx, String name) {
        return Instants.parse(text(ctx, name), name);
    }

    static Long positiveLong(Context ctx, String name) {
        return wholeNumber(ctx, name, 1);
    }

    static Long nonNegativeLong(Context ctx, String name) {
        return wholeNumber(ctx, name, 0);
    }

    private static Long wholeNumber(Context ctx, String name, long min) {
        String text = text(ctx, name);
        if (text == null) {
            return null;
        }
        long value = wholeNumber(text);
        if (value < min) {
            throw QueryException.badParameter(name, "\"" + name + "\" must be a whole number from " + min + " to "
                    + Long.MAX_VALUE + ", not '" + Names.abbreviate(text) + "'");
        }
        return value;
    }

    /** The number, or -1 for anything that is not one a long holds (never an exception). */
    private static long wholeNumber(String text) {
        if (text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;   // 19 digits above Long.MAX_VALUE
        }
    }

    static void checkRange(Instant since, Instant until) {
        if (since != null && until != null && since.isAfter(until)) {
            throw QueryException.badParameter("since", "\"since\" (" + since + ") is after \"until\" (" + until + ")");
        }
    }

    /**
     * The context of an evaluate body, {@code {"context": {"targetingKey": "user-1", ...}}}, read
     * strictly; an empty body is an empty context.
     */
    static EvaluationContext evaluationContext(byte[] body) {
        if (body == null || body.length == 0) {
            return EvaluationContext.empty();
        }
        JsonNode root = StrictJson.readObject(body);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("context")) {
                throw new QueryException(QueryErrorCode.MALFORMED_REQUEST, Names.abbreviate(name), "unknown field '"
                        + Names.abbreviate(name) + "': the body takes only \"context\", e.g. "
                        + "{\"context\": {\"targetingKey\": \"user-1\"}}");
            }
        }
        JsonNode context = root.get("context");
        try {
            if (context != null) {
                StrictJson.requireFiniteNumbers(context, "context");
            }
            return ContextJson.fromJson(context);
        } catch (JsonInputException e) {
            throw new QueryException(QueryErrorCode.INVALID_CONTEXT, Names.abbreviate(e.field()), e.getMessage());
        } catch (IllegalArgumentException e) {
            // ContextJson's messages are sentences for the caller that name the field
            throw new QueryException(QueryErrorCode.INVALID_CONTEXT, "context", e.getMessage());
        }
    }
}
