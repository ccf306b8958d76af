package io.flagplane.projection.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.SegmentRef;
import io.flagplane.projection.history.HistoryCodec;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.registry.SchemaRegistryClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The answers one instance gives from its own stores: a flag's state now, at a version or at an
 * instant; its history page by page with diffs; a diff between two versions; its share of the
 * audit log and of an export. Routing to the instance that holds the data is the caller's job
 * ({@link Router}); everything here is local and read-only.
 *
 * <p>Every answer is a record (the contract's states, {@link HistoryPage}, {@link Diff},
 * {@link Audit.Share}, {@link Export}); the HTTP layer renders them, and instances hand each other
 * their shares as the contract's Avro ({@link ShareWire}).
 */
public final class ProjectionQueries {

    /** How many audit entries one instance examines for one page before it answers with what it has. */
    static final int AUDIT_SCAN_BUDGET = 20_000;
    private static final long MAX_AUDIT_MILLIS = 9_999_999_999_999L;

    private final FoldStores stores;
    private final SchemaRegistryClient registry;

    public ProjectionQueries(FoldStores stores, SchemaRegistryClient registry) {
        this.stores = stores;
        this.registry = registry;
    }

    private HistoryReader reader() {
        return new HistoryReader(stores.history(), registry);
    }

    /** The current version of a flag or segment, or 0 when there is none. */
    public long latestVersion(AggregateRef subject) {
        if (subject instanceof SegmentRef) {
            SegmentState state = stores.segments().get(subject.stateKey());
            return state == null ? 0 : state.getVersion();
        }
        FlagState state = stores.flags().get(subject.stateKey());
        return state == null ? 0 : state.getVersion();
    }

    private long requireLatest(AggregateRef subject) {
        long latest = latestVersion(subject);
        if (latest == 0) {
            throw QueryException.notFound(notFound(subject), "there is no " + subject.describe());
        }
        return latest;
    }

    private static QueryErrorCode notFound(AggregateRef subject) {
        return subject instanceof SegmentRef ? QueryErrorCode.SEGMENT_NOT_FOUND : QueryErrorCode.FLAG_NOT_FOUND;
    }

    /**
     * The state (a {@link FlagState} or {@link SegmentState}) now, at {@code version}, or as of
     * {@code asOf}; at most one of the two may be given.
     */
    public Object state(AggregateRef subject, Instant asOf, Long version) {
        long latest = requireLatest(subject);
        long wanted = latest;
        HistoryReader reader = reader();
        if (version != null) {
            if (version < 1 || version > latest) {
                throw QueryException.notFound(QueryErrorCode.VERSION_NOT_FOUND, subject.describe() + " has versions 1 to " + latest
                        + ", not " + version);
            }
            wanted = version;
        } else if (asOf != null) {
            wanted = reader.versionAt(subject.eventKey(), asOf, latest);
            if (wanted == 0) {
                throw QueryException.notFound(notFound(subject), subject.describe() + " did not exist yet at " + asOf);
            }
        }
        if (wanted == latest) {
            return subject instanceof SegmentRef ? stores.segments().get(subject.stateKey()) : stores.flags().get(subject.stateKey());
        }
        Object state = reader.stateAt(subject.eventKey(), wanted);
        if (state == null) {
            throw QueryException.unavailable("the history of " + subject.describe() + " is incomplete at version " + wanted
                    + " (still restoring?); retry in a moment");
        }
        return state;
    }

    /** A page of a flag's or segment's history, newest first; {@code nextCursor} is null on the last page. */
    public record HistoryPage(AggregateRef subject, List<HistoryReader.Entry> entries, Long nextCursor) {
    }

    /** What changed between two versions ({@code 0} = before it existed): the structured diff of their states. */
    public record Diff(AggregateRef subject, long from, long to, JsonNode changes) {
    }

    public HistoryPage history(AggregateRef subject, Long cursor, int limit, Instant since, Instant until) {
        requireLatest(subject);
        HistoryReader.Page page = reader().page(subject.eventKey(), cursor == null ? Long.MAX_VALUE : cursor, limit, since, until);
        return new HistoryPage(subject, page.entries(), page.nextCursor());
    }

    public Diff diff(AggregateRef subject, long from, long to) {
        long latest = requireLatest(subject);
        for (long v : new long[] {from, to}) {
            if (v < 0 || v > latest) {
                throw QueryException.notFound(QueryErrorCode.VERSION_NOT_FOUND, subject.describe() + " has versions 1 to " + latest
                        + " (0 = before it existed), not " + v);
            }
        }
        return new Diff(subject, from, to, reader().diff(subject.eventKey(), from, to));
    }

    /** A segment held here as it was at {@code at}; empty when it did not exist then. */
    public Optional<SegmentState> segmentAt(SegmentRef segment, Instant at) {
        try {
            return Optional.of((SegmentState) state(segment, at, null));
        } catch (QueryException e) {
            if (e.code() == QueryErrorCode.SEGMENT_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A flag held here as it was at {@code at}; empty when it did not exist then. */
    public Optional<FlagState> flagAt(FlagRef flag, Instant at) {
        try {
            return Optional.of((FlagState) state(flag, at, null));
        } catch (QueryException e) {
            if (e.code() == QueryErrorCode.FLAG_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ export

    /** Every flag and segment this instance holds, as of {@code asOf} (null = now), in environments {@code wanted}. */
    public Export exportLocal(Instant asOf, Predicate<String> wanted) {
        List<FlagState> flags = new ArrayList<>();
        List<SegmentState> segments = new ArrayList<>();
        HistoryReader reader = reader();
        try (KeyValueIterator<String, FlagState> all = stores.flags().all()) {
            while (all.hasNext()) {
                FlagState current = all.next().value;
                if (wanted.test(current.getEnvironment())) {
                    Object state = asOf == null ? current : asOf(reader, new FlagRef(current.getEnvironment(), current.getFlagKey()),
                            current.getVersion(), asOf);
                    if (state != null) {
                        flags.add((FlagState) state);
                    }
                }
            }
        }
        try (KeyValueIterator<String, SegmentState> all = stores.segments().all()) {
            while (all.hasNext()) {
                SegmentState current = all.next().value;
                if (wanted.test(current.getEnvironment())) {
                    Object state = asOf == null ? current : asOf(reader,
                            new SegmentRef(current.getEnvironment(), current.getSegmentKey()), current.getVersion(), asOf);
                    if (state != null) {
                        segments.add((SegmentState) state);
                    }
                }
            }
        }
        return Export.merge(List.of(new Export(flags, segments)));
    }

    private static Object asOf(HistoryReader reader, AggregateRef subject, long latest, Instant asOf) {
        long version = reader.versionAt(subject.eventKey(), asOf, latest);
        return version == 0 ? null : reader.stateAt(subject.eventKey(), version);
    }

    // ------------------------------------------------------------------ audit

    /** What an audit query asks for; {@code environments} says which environments the caller may see. */
    public record AuditFilter(String actor, String type, String tag, String environment, Instant since, Instant until,
                              Predicate<String> environments) {

        boolean matches(HistoryCodec.AuditKey key, HistoryCodec.AuditValue value) {
            String env = RecordKeys.parse(key.recordKey()).environment();
            return environments.test(env)
                    && (environment == null || environment.equals(env))
                    && (actor == null || actor.equals(value.actorId()))
                    && (type == null || type.equalsIgnoreCase(value.eventType()))
                    && (tag == null || value.tags().contains(tag));
        }
    }

    /**
     * This instance's newest matching entries below {@code cursor} (an audit key, exclusive; null
     * for the newest), at most {@code limit}, merged across its partitions. {@code scannedTo} is
     * set when the scan stopped early (page full or scan budget spent): it is the first key not
     * looked at, so every matching entry above it was returned and nothing at or below it was.
     */
    public Audit.Share auditLocal(AuditFilter filter, String cursor, int limit) {
        String upper = cursor != null ? cursor
                : HistoryCodec.auditCeiling(filter.until() == null ? MAX_AUDIT_MILLIS : auditMillis(filter.until()));
        String lower = HistoryCodec.auditFloor(filter.since() == null ? 0 : auditMillis(filter.since()));
        List<KeyValueIterator<String, byte[]>> iterators = new ArrayList<>();
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::key).reversed());
        List<Audit.Entry> entries = new ArrayList<>();
        String scannedTo = null;
        try {
            for (ReadOnlyKeyValueStore<String, byte[]> share : stores.auditShares()) {
                KeyValueIterator<String, byte[]> it = share.reverseRange(lower, upper);
                iterators.add(it);
                advance(it, heads);
            }
            HistoryReader reader = reader();
            int scanned = 0;
            while (!heads.isEmpty()) {
                Head head = heads.poll();
                advance(head.iterator(), heads);
                if (head.key().equals(cursor)) {
                    continue;
                }
                if (entries.size() == limit || scanned == AUDIT_SCAN_BUDGET) {
                    scannedTo = head.key();
                    break;
                }
                scanned++;
                HistoryCodec.AuditKey key = HistoryCodec.parseAuditKey(head.key());
                HistoryCodec.AuditValue value = HistoryCodec.readAuditValue(head.value());
                if (!filter.matches(key, value)) {
                    continue;
                }
                HistoryReader.Entry entry = reader.entry(key.recordKey(), key.version());
                if (entry == null) {
                    continue;
                }
                entries.add(new Audit.Entry(head.key(), AggregateRef.ofEventKey(key.recordKey()), entry, value.tags()));
            }
        } finally {
            iterators.forEach(KeyValueIterator::close);
        }
        return new Audit.Share(entries, scannedTo);
    }

    /**
     * Audit keys start with the time as 13 digits, compared as text: an instant past 2286 (14
     * digits) would sort below today's keys, so bounds are clamped to what 13 digits hold.
     */
    private static long auditMillis(Instant instant) {
        return Math.min(MAX_AUDIT_MILLIS, Math.max(0, instant.toEpochMilli()));
    }

    private record Head(String key, byte[] value, KeyValueIterator<String, byte[]> iterator) {
    }

    private static void advance(KeyValueIterator<String, byte[]> it, PriorityQueue<Head> heads) {
        if (it.hasNext()) {
            KeyValue<String, byte[]> next = it.next();
            heads.add(new Head(next.key, next.value, it));
        }
    }
}
