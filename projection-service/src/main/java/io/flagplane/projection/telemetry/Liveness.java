package io.flagplane.projection.telemetry;

import java.time.Instant;
import java.util.Locale;

/**
 * Whether an evaluator is still there, judged from when it was last seen against the heartbeat it
 * promised: {@link #LIVE} within {@code liveHeartbeats} heartbeats, {@link #GONE} after
 * {@code goneHeartbeats} (or at once when its last report said it was stopping), {@link #STALE}
 * in between — late, probably down, still expected. Decided at question time from a clock the
 * caller gives, never stored.
 */
public enum Liveness {
    LIVE, STALE, GONE;

    /** Heartbeats taken as given are kept between these, so a report of 0 or of a year cannot skew liveness. */
    static final int MIN_HEARTBEAT_MS = 100;
    static final int MAX_HEARTBEAT_MS = 600_000;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The thresholds, in heartbeats. */
    public record Rules(int liveHeartbeats, int goneHeartbeats) {

        public static final Rules DEFAULT = new Rules(3, 10);

        public Rules {
            if (liveHeartbeats < 1 || goneHeartbeats <= liveHeartbeats) {
                throw new IllegalArgumentException("a node must be live for at least 1 heartbeat and gone after more heartbeats "
                        + "than it is live: " + liveHeartbeats + ", " + goneHeartbeats);
            }
        }

        public Liveness of(EvaluatorEntry node, Instant now) {
            if (EvaluatorEntry.STOPPING.equals(node.status())) {
                return GONE;
            }
            long heartbeat = heartbeat(node);
            long silent = now.toEpochMilli() - node.lastSeenMs();
            if (silent <= liveHeartbeats * heartbeat) {
                return LIVE;
            }
            return silent > goneHeartbeats * heartbeat ? GONE : STALE;
        }

        /** When this node turns gone if it stays silent. */
        public Instant goneAt(EvaluatorEntry node) {
            return Instant.ofEpochMilli(node.lastSeenMs() + goneHeartbeats * heartbeat(node));
        }

        private static long heartbeat(EvaluatorEntry node) {
            return Math.max(MIN_HEARTBEAT_MS, Math.min(MAX_HEARTBEAT_MS, node.heartbeatMs()));
        }
    }
}
