package io.flagplane.projection.stream;

import io.flagplane.projection.query.QueryException;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * The connections of one kind of server-sent-event stream on this instance: a thread per
 * connection, capped per instance (checked before the response starts, so a full instance answers
 * 503 instead of a stream), and ended together on {@link #close()}. What a connection sends is the
 * owner's loop; this class only holds it open, counts it, and closes the client when the loop ends.
 * The live event stream, the propagation streams and the experiment result streams each own one.
 */
public final class SseConnections implements AutoCloseable {

    /** One connection's loop; it returns (or throws) when the stream should end. */
    @FunctionalInterface
    public interface Loop {
        void run() throws InterruptedException;
    }

    private final Logger log;
    private final String stream;
    private final String streams;
    private final String thread;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param log     the owner's logger: a loop that fails is logged there as "{stream} ended: …"
     * @param stream  the stream's name, as the log says it
     * @param streams the streams' name in the plural, as the refusal of a connection over {@code max} says it
     * @param thread  the name of each connection's thread
     */
    public SseConnections(Logger log, String stream, String streams, String thread, int max) {
        this.log = log;
        this.stream = stream;
        this.streams = streams;
        this.thread = thread;
        this.max = max;
    }

    /** Refuses a new connection (503, {@code UNAVAILABLE}) when this instance already holds {@code max}. */
    public void admit() {
        if (open.get() >= max) {
            throw QueryException.unavailable("this instance already serves " + max + " " + streams + "; try another instance"
                    + " or later");
        }
    }

    public int openConnections() {
        return open.get();
    }

    /** True once {@link #close()} was called: every loop should return. */
    public boolean closed() {
        return closed;
    }

    /** Runs {@code loop} for {@code client} on a thread of its own, and closes the client when it ends. */
    public void start(SseClient client, Loop loop) {
        client.keepAlive();
        open.incrementAndGet();
        Thread connection = new Thread(() -> {
            try {
                loop.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("{} ended: {}", stream, e.toString());
                }
            } finally {
                open.decrementAndGet();
                threads.remove(Thread.currentThread());
                client.close();
            }
        }, thread);
        connection.setDaemon(true);
        threads.add(connection);
        connection.start();
    }

    /** Ends every open stream (before the HTTP server stops under them), waiting up to two seconds for each. */
    @Override
    public void close() {
        closed = true;
        for (Thread connection : threads) {
            try {
                connection.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** When a quiet stream next says it is alive: due once every {@code every}, and not before it since the last restart. */
    public static final class Heartbeat {
        private final long every;
        private long next;

        public Heartbeat(Duration every) {
            this.every = every.toNanos();
            this.next = System.nanoTime() + this.every;
        }

        /** True, and restarted, once {@code every} has passed since the last restart. */
        public boolean due() {
            if (System.nanoTime() - next < 0) {
                return false;
            }
            restart();
            return true;
        }

        /** Something else was sent: the next heartbeat is {@code every} from now. */
        public void restart() {
            next = System.nanoTime() + every;
        }
    }
}
