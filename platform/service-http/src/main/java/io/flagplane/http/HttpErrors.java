package io.flagplane.http;

import java.util.UUID;
import org.slf4j.Logger;

/**
 * The codes and sentences for errors that belong to HTTP itself rather than to an API's domain,
 * and the one way an unexpected failure is reported: {@code 500 INTERNAL} with an id that is in the
 * log, never the exception's class or message (those name internals and can leak data), and never
 * 503, which tells clients to retry something that will fail again.
 */
public final class HttpErrors {

    private HttpErrors() {
    }

    /** A stable code for an HTTP status raised outside the application. */
    public static String codeOf(int status) {
        return switch (status) {
            case 400 -> "MALFORMED_REQUEST";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 408 -> "REQUEST_TIMEOUT";
            case 411 -> "LENGTH_REQUIRED";
            case 413 -> "BODY_TOO_LARGE";
            case 414 -> "URI_TOO_LONG";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 431 -> "HEADERS_TOO_LARGE";
            case 503 -> "UNAVAILABLE";
            default -> status >= 500 ? "INTERNAL" : "MALFORMED_REQUEST";
        };
    }

    /** A sentence for a human about an HTTP status raised outside the application. */
    public static String sentenceOf(int status) {
        return switch (status) {
            case 400 -> "the request is not well-formed HTTP (check the request line, the headers and the encoding of the path)";
            case 404 -> "no such route";
            case 405 -> "this route does not take that method";
            case 408 -> "the request was not received in time";
            case 411 -> "the request needs a Content-Length";
            case 413 -> "the request body is too large";
            case 414 -> "the request URI is too long (the request line and headers are at most "
                    + HttpHardening.MAX_HEADER_BYTES / 1024 + " KiB together)";
            case 415 -> "the request body has an unsupported media type";
            case 431 -> "the request headers are too large (at most " + HttpHardening.MAX_HEADER_BYTES / 1024 + " KiB in all)";
            case 503 -> "the service is unavailable; retry in a moment";
            default -> status >= 500 ? "internal error" : "the request cannot be served";
        };
    }

    /**
     * The 4xx status of a failure the client caused while its request was being read (a bad chunk
     * size, a body cut short, a malformed message Jetty reports while the app reads the body), or
     * 0 when the failure is not the client's. Such failures surface as exceptions from the body
     * reader inside a handler, not as Jetty's own error pages.
     */
    public static int clientStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.HttpException http) {
                int code = http.getCode();
                return code >= 400 && code < 500 ? code : 400;
            }
            if (t instanceof org.eclipse.jetty.io.EofException) {
                return 400;
            }
        }
        return 0;
    }

    /**
     * Logs an unexpected failure with a fresh id and returns the sentence to send: it carries the
     * id so an operator can find the stack trace, and nothing else.
     */
    public static String internal(Logger log, String method, String path, Throwable failure) {
        String id = UUID.randomUUID().toString();
        log.error("internal error {} on {} {}", id, method, path, failure);
        return "internal error " + id + "; the service logged its cause under that id";
    }
}
