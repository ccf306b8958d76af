package io.flagplane.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The Jetty and Javalin settings every Flagplane HTTP API shares, applied in one place.
 *
 * <ul>
 *   <li><b>Header values are compared case-sensitively.</b> Jetty keeps a per-connection cache of
 *   header fields and by default matches values ignoring case: after one request with a valid
 *   token, the same token with its letters' case flipped would be taken from the cache as the
 *   valid one (and the other way round). Behind a load balancer that pools connections this
 *   crosses clients. Tokens, {@code Idempotency-Key} and {@code If-Match} are case-sensitive.</li>
 *   <li>Bounded request headers and URIs; errors Jetty raises itself come back in the API's JSON
 *   shape ({@link JsonErrorHandler}).</li>
 *   <li><b>A body over the service's limit is read to its end before the 413</b>, when it declares
 *   at most {@link #DRAIN_MAX_BYTES}. Answered unread, Jetty closed the connection with the rest of
 *   the body still arriving, the kernel answered that with a reset, and a client still sending
 *   could lose the 413 itself ("header parser received no bytes", seen in CI on the edge's hostile
 *   context test). Read to its end, the 413 arrives and the connection stays usable. A body
 *   declaring more is refused unread, as before: reading it would be the attacker's bandwidth.</li>
 * </ul>
 */
public final class HttpHardening {

    /**
     * The whole request header block, request line included (Jetty's default, kept explicit): a
     * URI longer than this is 414, headers beyond it 431. Room for a JWT of several KiB.
     */
    public static final int MAX_HEADER_BYTES = 8 * 1024;

    /** The largest body that is read to its end (and thrown away) before it is refused as too large. */
    public static final long DRAIN_MAX_BYTES = 1024 * 1024;

    private HttpHardening() {
    }

    public static void apply(JavalinConfig config, ErrorBodies bodies) {
        JsonErrorHandler errors = new JsonErrorHandler(bodies);
        config.jetty.modifyHttpConfiguration(http -> {
            http.setHeaderCacheCaseSensitive(true);
            http.setRequestHeaderSize(MAX_HEADER_BYTES);
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
        });
        config.jetty.modifyServer(server -> server.setErrorHandler(errors));
        config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(errors));
        // the limit is read per request: a service may set it after this
        config.routes.before(ctx -> drainOversized(ctx.req(), config.http.maxRequestSize));
    }

    /**
     * Refuses a body that declares more than {@code limit} bytes and at most {@link #DRAIN_MAX_BYTES}
     * with the 413 Javalin's own check throws (the services' error mappers render it), after reading
     * it to its end and throwing it away. The 413 must be thrown here: Javalin counts the bytes it
     * reads, and would find an empty body once this one is drained.
     */
    static void drainOversized(HttpServletRequest request, long limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared <= limit || declared > DRAIN_MAX_BYTES) {
            return;   // within the limit, or too large to read: the route's own read refuses it unread
        }
        InputStream body = request.getInputStream();
        byte[] buffer = new byte[16 * 1024];
        while (body.read(buffer) >= 0) {
            // thrown away; the container stops at the declared length
        }
        throw new HttpResponseException(HttpStatus.CONTENT_TOO_LARGE, HttpStatus.CONTENT_TOO_LARGE.getMessage(), Map.of());
    }
}
