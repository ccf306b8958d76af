package io.flagplane.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over one socket, Content-Length framing only: enough to see what one keep-alive
 * connection does (the header-cache test needs two requests on the same connection, which
 * java.net.http does not promise). Shared with every service's tests through this module's test jar.
 */
public final class RawConnection implements AutoCloseable {
    public record Reply(int status, String headers, String body) {
        public String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public Reply get(String path, String header) throws IOException {
        return send("GET", path, header, null);
    }

    /** One request with an optional extra header line and an optional body (sent with Content-Length). */
    public Reply send(String method, String path, String header, byte[] body) throws IOException {
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + (header == null ? "" : header + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
        out.write(head.getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return readReply();
    }

    private Reply readReply() throws IOException {
        String head = readHead();
        int status = Integer.parseInt(head.substring(9, 12));
        Reply partial = new Reply(status, head, "");
        String length = partial.header("content-length");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        return new Reply(status, head, new String(body, StandardCharsets.UTF_8));
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.UTF_8);
    }

    /** The text with every letter's case flipped: the same token to a cache that ignores case. */
    public static String flipCase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return out.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
