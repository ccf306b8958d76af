package io.flagplane.console;

import io.flagplane.http.ErrorBodies;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's pass-through to the three services: {@code /upstream/<service>/<rest>?<query>} goes
 * to that service's base URL + {@code /<rest>?<query>} with the same method, the few request headers
 * the API reads and a bounded body; the answer (status, Content-Type, ETag, body) comes back
 * streamed, a chunk flushed as soon as it arrives, so server-sent events flow through as they come.
 * It adds no credentials: the browser sends the user's token and the services decide.
 */
final class UpstreamProxy {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamProxy.class);

    static final String PREFIX = "/upstream/";
    /** The largest request body passed on; the services' own bounds are smaller. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type", "Accept", "If-Match",
            "Idempotency-Key", "Last-Event-ID");
    static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "ETag", "Location", "Retry-After");

    private static final Map<String, String> NAMES = Map.of("command", "command-service", "projection", "projection-service",
            "edge", "edge node");

    private final Map<String, URI> services;
    private final HttpClient client;
    private final Duration answerTimeout;

    UpstreamProxy(Map<String, URI> services, Duration answerTimeout) {
        this.services = Map.copyOf(services);
        this.answerTimeout = answerTimeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    void handle(Context ctx) throws IOException, InterruptedException {
        String raw = ctx.req().getRequestURI();           // as sent, still percent-encoded
        String afterPrefix = raw.substring(PREFIX.length());
        int slash = afterPrefix.indexOf('/');
        String service = slash < 0 ? afterPrefix : afterPrefix.substring(0, slash);
        URI base = services.get(service);
        if (base == null) {
            error(ctx, 404, "UNKNOWN_SERVICE", "the console passes requests to /upstream/command, /upstream/projection "
                    + "and /upstream/edge only, not to '" + clip(service) + "'");
            return;
        }
        String rest = slash < 0 ? "/" : afterPrefix.substring(slash);
        String refused = refusedPath(rest);
        if (refused != null) {
            error(ctx, 400, "BAD_PATH", refused);
            return;
        }
        if (isInternal(rest)) {
            error(ctx, 404, "INTERNAL_ROUTE", "the console passes the services' public routes only; /internal/… on the "
                    + NAMES.get(service) + " is for the services themselves (the admin tools use what curl with your token can)");
            return;
        }
        URI target;
        try {
            String query = ctx.req().getQueryString();
            target = URI.create(base + rest + (query == null || query.isEmpty() ? "" : "?" + encodeQuery(query)));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "BAD_PATH", "the path after /upstream/" + service + " is not a valid URL path");
            return;
        }
        if (!sameOrigin(base, target)) {   // belt and braces: nothing above can change the host, and this proves it
            error(ctx, 400, "BAD_PATH", "the path after /upstream/" + service + " must stay on that service");
            return;
        }

        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        String method = ctx.method().name();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            long declared = ctx.req().getContentLengthLong();
            if (declared > MAX_BODY_BYTES) {
                tooLarge(ctx);
                return;
            }
            byte[] bytes = ctx.req().getInputStream().readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                tooLarge(ctx);
                return;
            }
            body = HttpRequest.BodyPublishers.ofByteArray(bytes);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(answerTimeout).method(method, body);
        for (String name : REQUEST_HEADERS) {
            String value = ctx.header(name);
            if (value != null) {
                request.header(name, value);
            }
        }

        HttpResponse<InputStream> answer;
        try {
            answer = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            error(ctx, 504, "UPSTREAM_TIMEOUT", "the " + NAMES.get(service) + " at " + base + " did not answer within "
                    + answerTimeout.toSeconds() + " s");
            return;
        } catch (IOException e) {
            error(ctx, 502, "UPSTREAM_UNAVAILABLE", "the " + NAMES.get(service) + " at " + base + " did not answer: "
                    + describe(e));
            return;
        }
        relay(ctx, answer);
    }

    private static void relay(Context ctx, HttpResponse<InputStream> answer) throws IOException {
        HttpServletResponse res = ctx.res();
        res.setStatus(answer.statusCode());
        for (String name : RESPONSE_HEADERS) {
            answer.headers().firstValue(name).ifPresent(value -> res.setHeader(name, value));
        }
        res.setHeader("Cache-Control", "no-store");
        try (InputStream in = answer.body()) {
            ServletOutputStream out = res.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (read > 0) {
                    out.write(buffer, 0, read);
                    out.flush();          // every chunk as it comes: server-sent events must not wait in a buffer
                }
            }
        } catch (IOException e) {
            // the browser went away (a stream closed) or the service did mid-answer: nothing more to send
            LOG.debug("a proxied answer ended early: {}", e.toString());
        }
    }

    /**
     * Why a path after the service name is refused, or null. Dot segments and encoded slashes or
     * backslashes could make the service (or something in front of it) resolve a path other than
     * the one shown; the console passes none of them.
     */
    static String refusedPath(String rest) {
        if (!rest.startsWith("/")) {
            return "the path after the service name must start with '/'";
        }
        for (String segment : rest.substring(1).split("/", -1)) {
            String decoded;
            try {
                decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return "the path holds a malformed percent-encoding";
            }
            if (decoded.equals(".") || decoded.equals("..")) {
                return "the path may not hold '.' or '..' segments";
            }
            if (decoded.contains("/") || decoded.contains("\\") || segment.contains("\\")) {
                return "the path may not hold encoded slashes or backslashes";
            }
            if (decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return "the path may not hold control characters";
            }
        }
        return null;
    }

    /**
     * Whether the path's first segment is {@code internal} in any spelling a service could route as
     * such: any case, percent-encoded (also more than once), with Jetty's {@code ;parameters}, after
     * empty segments, or in a Unicode form that normalises to it.
     */
    static boolean isInternal(String rest) {
        for (String segment : rest.split("/")) {
            String name = segment;
            for (int i = 0; i < 5 && name.contains("%"); i++) {   // %2569 → %69 → i
                try {
                    name = URLDecoder.decode(name.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    break;
                }
            }
            int parameters = name.indexOf(';');
            if (parameters >= 0) {
                name = name.substring(0, parameters);
            }
            name = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFKC).strip();
            if (name.isEmpty()) {
                continue;                     // '//internal' is routed as '/internal' by some servers
            }
            return name.toLowerCase(java.util.Locale.ROOT).equals("internal")
                    || name.toUpperCase(java.util.Locale.ROOT).equals("INTERNAL");
        }
        return false;
    }

    /** The query as sent, with any character a URI may not hold (Jetty lets some through) percent-encoded. */
    static String encodeQuery(String query) {
        StringBuilder out = new StringBuilder(query.length() + 16);
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            boolean escape = c == '%' && i + 2 < query.length() + 0 && isHex(query, i + 1) && isHex(query, i + 2);
            if (escape || isQueryChar(c)) {
                out.append(c);
            } else {
                for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                }
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
    }

    private static boolean isQueryChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
    }

    private static boolean sameOrigin(URI base, URI target) {
        return base.getScheme().equals(target.getScheme()) && base.getHost().equalsIgnoreCase(target.getHost())
                && base.getPort() == target.getPort() && target.getRawUserInfo() == null
                && target.getRawPath().startsWith(base.getRawPath());
    }

    private static void tooLarge(Context ctx) {
        error(ctx, 413, "BODY_TOO_LARGE", "the request body is larger than the console passes on (" + MAX_BODY_BYTES + " bytes)");
    }

    static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).contentType("application/json").result(ErrorBodies.api(code, message, null));
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String clip(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
