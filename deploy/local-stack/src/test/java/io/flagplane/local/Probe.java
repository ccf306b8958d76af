package io.flagplane.local;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One hostile request and what must come back. The request line and headers are kept as
 * ISO-8859-1 text, so any byte can be put in them; the body is raw bytes.
 */
record Probe(Api api, String label, String method, String target, List<String> headerLines, byte[] body,
             Framing framing, Expect expect, Duration deadline) {

    static final Duration DEADLINE = Duration.ofSeconds(10);

    /** The three HTTP APIs and the error shape each promises on a path. */
    enum Api {
        COMMAND, PROJECTION, EDGE;

        Shape shapeAt(String target) {
            if (this != EDGE) {
                return Shape.API;
            }
            if (target.startsWith("/ofrep/")) {
                return Shape.OFREP;
            }
            return target.startsWith("/api/") ? Shape.API : Shape.EITHER;
        }
    }

    /** {@code {"error":{"code","message","field"?}}}, OFREP's {@code {"errorCode","errorDetails"}}, or either (paths no API owns). */
    enum Shape { API, OFREP, EITHER }

    /** How the body is framed: by a Content-Length, chunked, or by headers the probe writes itself. */
    enum Framing { LENGTH, CHUNKED, RAW }

    /** What must come back, beyond what every answer must be (no 5xx, JSON errors, no internals). */
    record Expect(int status, boolean clientError, String code) {

        /** Any status but a 5xx: the input may be accepted. */
        static Expect any() {
            return new Expect(0, false, null);
        }

        /** A 4xx: the input must be refused (and a write must write nothing). */
        static Expect refused() {
            return new Expect(0, true, null);
        }

        static Expect refusedWith(String code) {
            return new Expect(0, true, code);
        }

        static Expect exactly(int status) {
            return new Expect(status, status >= 400, null);
        }

        static Expect exactly(int status, String code) {
            return new Expect(status, status >= 400, code);
        }

        String describe() {
            if (status != 0) {
                return status + (code == null ? "" : " " + code);
            }
            return clientError ? "4xx" + (code == null ? "" : " " + code) : "anything but 5xx";
        }
    }

    static Builder to(Api api, String method, String target) {
        return new Builder(api, method, target);
    }

    boolean isHead() {
        return method.equals("HEAD");
    }

    /** A request that may change state: only the command-service writes events. */
    boolean isCommandWrite() {
        return api == Api.COMMAND && !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    /** The bytes on the wire: request line, Host, the probe's headers, framing, Connection: close, body. */
    byte[] bytes() {
        return bytes(false);
    }

    /** The bytes on the wire; with {@code keepAlive} the connection stays open for the next request. */
    byte[] bytes(boolean keepAlive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 512);
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n");
        headerLines.forEach(line -> head.append(line).append("\r\n"));
        if (framing == Framing.LENGTH && (body.length > 0 || !method.equals("GET") && !method.equals("HEAD"))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (framing == Framing.CHUNKED) {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        head.append(keepAlive ? "\r\n" : "Connection: close\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (framing == Framing.CHUNKED) {
            for (int at = 0; at < body.length; at += 64 * 1024) {
                int size = Math.min(64 * 1024, body.length - at);
                out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, at, size);
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** A short description for reports: label, method and (abbreviated) target. */
    String describe() {
        String shown = new String(target.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return "[" + printable(label) + "] " + method + " " + abbreviate(printable(shown), 120);
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c == 0x7f || c > 0x7e && c < 0xa0) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…(" + text.length() + " chars)";
    }

    /** Text whose UTF-8 bytes go on the wire as they are (request line and headers are ISO-8859-1 strings here). */
    static String utf8OnWire(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static final class Builder {
        private final Api api;
        private final String method;
        private final String target;
        private final List<String> headers = new ArrayList<>();
        private String label = "";
        private byte[] body = new byte[0];
        private Framing framing = Framing.LENGTH;
        private Expect expect = Expect.any();
        private Duration deadline = DEADLINE;

        private Builder(Api api, String method, String target) {
            this.api = api;
            this.method = method;
            this.target = target;
        }

        Builder label(String label) {
            this.label = label;
            return this;
        }

        Builder bearer(String token) {
            return token == null ? this : header("Authorization", "Bearer " + token);
        }

        Builder header(String name, String value) {
            headers.add(name + ": " + value);
            return this;
        }

        /** A header line exactly as given (no colon added): for malformed lines. */
        Builder headerLine(String line) {
            headers.add(line);
            return this;
        }

        Builder json(String json) {
            return json(json.getBytes(StandardCharsets.UTF_8));
        }

        Builder json(byte[] json) {
            if (headers.stream().noneMatch(h -> h.regionMatches(true, 0, "Content-Type:", 0, 13))) {
                header("Content-Type", "application/json");
            }
            this.body = json;
            return this;
        }

        Builder body(byte[] body) {
            this.body = body;
            return this;
        }

        Builder chunked() {
            this.framing = Framing.CHUNKED;
            return this;
        }

        /** The probe's own headers frame the body (or leave it unframed). */
        Builder rawFraming() {
            this.framing = Framing.RAW;
            return this;
        }

        Builder expect(Expect expect) {
            this.expect = expect;
            return this;
        }

        Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        Probe build() {
            return new Probe(api, label, method, target, List.copyOf(headers), body, framing, expect, deadline);
        }
    }
}
