package io.flagplane.http;

import io.javalin.config.JavalinConfig;

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
 * </ul>
 */
public final class HttpHardening {

    /**
     * The whole request header block, request line included (Jetty's default, kept explicit): a
     * URI longer than this is 414, headers beyond it 431. Room for a JWT of several KiB.
     */
    public static final int MAX_HEADER_BYTES = 8 * 1024;

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
    }
}
