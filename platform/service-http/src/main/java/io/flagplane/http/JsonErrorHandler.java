package io.flagplane.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages, in the API's JSON shape. Jetty answers some requests itself before the
 * application sees them (431 headers too large, 414, 400 for control characters or a bad
 * encoding in the path, 413 while reading); its default is an HTML page or an empty body. This
 * handler writes the API's error body instead, with a fixed sentence per status: Jetty's own
 * reason text may name its internals and is never sent.
 */
final class JsonErrorHandler extends ErrorHandler {

    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    private final ErrorBodies bodies;

    JsonErrorHandler(ErrorBodies bodies) {
        this.bodies = bodies;
    }

    /** A request Jetty could not parse: no path is known for sure. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(JSON);
        return ByteBuffer.wrap(bodies.render(null, status, HttpErrors.codeOf(status), HttpErrors.sentenceOf(status)));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() <= 0 ? 500 : response.getStatus();
        Object attribute = request.getAttribute(ERROR_STATUS);
        if (attribute instanceof Integer code) {
            status = code;
        }
        String path;
        try {
            path = request.getHttpURI().getPath();
        } catch (RuntimeException e) {
            path = null;
        }
        if ("/badMessage".equals(path)) {
            path = null; // Jetty's placeholder for a URI it could not parse: the real path is unknown
        }
        byte[] body = bodies.render(path, status, HttpErrors.codeOf(status), HttpErrors.sentenceOf(status));
        response.setStatus(status);
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
