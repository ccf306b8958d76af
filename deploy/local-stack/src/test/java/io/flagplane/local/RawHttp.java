package io.flagplane.local;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP/1.1 client over a plain socket, for the requests {@code java.net.http} will not
 * send: control characters and raw bytes in the request line and headers, oversized headers,
 * unknown methods, conflicting framing, and several requests on one keep-alive connection.
 * Responses are framed by {@code Content-Length}, {@code chunked} or the end of the stream; an
 * event stream is not read past its headers.
 */
final class RawHttp {

    /** Bodies larger than this are written by another thread, so an early answer (413) is read before the server hangs up. */
    private static final int WRITE_INLINE = 64 * 1024;
    private static final int MAX_HEAD = 256 * 1024;
    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "raw-http-writer");
        thread.setDaemon(true);
        return thread;
    });

    /** One answer: status, headers by lower-case name, body, how long it took. */
    record Response(int status, Map<String, List<String>> headers, byte[] body, long millis, boolean eventStream) {

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String contentType() {
            String type = header("content-type");
            return type == null ? "" : type;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** No answer at all, or not one that parses as HTTP/1.1. */
    static final class NoAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends one request on a fresh connection and reads one answer within {@code deadline}.
     *
     * @param head the request is a HEAD: the answer has no body whatever its headers say
     */
    static Response exchange(InetSocketAddress address, byte[] request, boolean head, Duration deadline) throws NoAnswer {
        long begin = System.nanoTime();
        try (Connection connection = new Connection(address)) {
            return connection.send(request, head, deadline, begin);
        } catch (NoAnswer e) {
            throw e;
        } catch (IOException e) {
            throw new NoAnswer("cannot connect to " + address + ": " + e, e);
        }
    }

    /** One keep-alive connection: several requests, one after the other. */
    static final class Connection implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }

        Response send(byte[] request, boolean head, Duration deadline) throws NoAnswer {
            return send(request, head, deadline, System.nanoTime());
        }

        private Response send(byte[] request, boolean head, Duration deadline, long begin) throws NoAnswer {
            long end = begin + deadline.toNanos();
            Throwable[] writeFailure = new Throwable[1];
            try {
                if (request.length <= WRITE_INLINE) {
                    out.write(request);
                    out.flush();
                } else {
                    WRITERS.execute(() -> {
                        try {
                            out.write(request);
                            out.flush();
                        } catch (IOException e) {
                            writeFailure[0] = e;   // the server may answer and hang up before reading everything
                        }
                    });
                }
            } catch (IOException e) {
                writeFailure[0] = e;
            }
            try {
                return read(head, begin, end);
            } catch (SocketTimeoutException e) {
                throw new NoAnswer("no answer within " + deadline.toMillis() + " ms", e);
            } catch (IOException e) {
                throw new NoAnswer("no answer: " + e.getMessage() + (writeFailure[0] == null ? "" : " (writing failed: "
                        + writeFailure[0].getMessage() + ")"), e);
            }
        }

        private Response read(boolean head, long begin, long end) throws IOException {
            while (true) {
                String head0 = readHead(end);
                List<String> lines = List.of(head0.split("\r\n"));
                String[] statusLine = lines.get(0).split(" ", 3);
                if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
                    throw new IOException("not an HTTP/1.1 status line: " + lines.get(0));
                }
                int status = Integer.parseInt(statusLine[1]);
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (String line : lines.subList(1, lines.size())) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                                .add(line.substring(colon + 1).trim());
                    }
                }
                if (status >= 100 && status < 200) {
                    continue;   // 100 Continue and friends: the real answer follows
                }
                Response partial = new Response(status, headers, new byte[0], 0, false);
                long millis;
                if (partial.contentType().toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    millis = (System.nanoTime() - begin) / 1_000_000;
                    socket.close();   // a stream never ends; the headers are the answer
                    return new Response(status, headers, new byte[0], millis, true);
                }
                byte[] body;
                String length = partial.header("content-length");
                String encoding = partial.header("transfer-encoding");
                if (head || status == 204 || status == 304) {
                    body = new byte[0];
                } else if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                    body = readChunked(end);
                } else if (length != null) {
                    body = readExactly(Integer.parseInt(length.trim()), end);
                } else {
                    body = readToEnd(end);
                }
                millis = (System.nanoTime() - begin) / 1_000_000;
                return new Response(status, headers, body, millis, false);
            }
        }

        private String readHead(long end) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream(512);
            int matched = 0;
            while (matched < 4) {
                int b = readByte(end);
                if (b < 0) {
                    throw new IOException(head.size() == 0 ? "the server closed the connection without answering"
                            : "the server closed the connection in the middle of the headers");
                }
                head.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : b == '\r' ? 1 : 0;
                if (head.size() > MAX_HEAD) {
                    throw new IOException("response headers larger than " + MAX_HEAD + " bytes");
                }
            }
            return head.toString(StandardCharsets.ISO_8859_1).substring(0, head.size() - 4);
        }

        private byte[] readChunked(long end) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(end);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!readLine(end).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                if (body.size() + size > MAX_BODY) {
                    throw new IOException("response body larger than " + MAX_BODY + " bytes");
                }
                body.write(readExactly(size, end));
                readLine(end);
            }
        }

        private String readLine(long end) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(16);
            int b;
            while ((b = readByte(end)) != '\n') {
                if (b < 0) {
                    throw new IOException("the server closed the connection in the middle of a chunked body");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        private byte[] readExactly(int length, long end) throws IOException {
            if (length > MAX_BODY) {
                throw new IOException("response body of " + length + " bytes");
            }
            byte[] body = new byte[length];
            int read = 0;
            while (read < length) {
                timeout(end);
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    throw new IOException("the server closed the connection after " + read + " of " + length + " body bytes");
                }
                read += n;
            }
            return body;
        }

        private byte[] readToEnd(long end) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                timeout(end);
                int n = in.read(buffer);
                if (n < 0) {
                    return body.toByteArray();
                }
                body.write(buffer, 0, n);
                if (body.size() > MAX_BODY) {
                    throw new IOException("response body larger than " + MAX_BODY + " bytes");
                }
            }
        }

        private int readByte(long end) throws IOException {
            timeout(end);
            return in.read();
        }

        private void timeout(long end) throws IOException {
            if (in.available() > 0) {
                return;   // served from the buffer: no wait, no deadline to set
            }
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        /** Whether the server has hung up (a read would see the end of the stream). */
        boolean closedByServer() {
            try {
                socket.setSoTimeout(50);
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a socket that failed: nothing left to release
            }
        }
    }
}
