package io.flagplane.projection.telemetry;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagUsage;
import io.flagplane.avro.VariantCount;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.query.Names;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each {@code EvaluatorReport} into the registry of evaluators, the versions each node
 * applied per flag, and flag usage per UTC day. A report is telemetry from a process we do not
 * control, so everything in it is bounded ({@link ReportLimits}) and checked; what does not fit is
 * dropped and counted, and an undecodable record is logged, counted and skipped.
 *
 * <p>Reports are applied once: a report whose node already sent a later one (same process, lower
 * or equal sequence, or an older process) is skipped, so a redelivery after a crash never counts
 * usage twice. A node is last seen at its report's instant, but never later than this fold's
 * clock: an evaluator whose clock runs ahead cannot keep itself alive.
 *
 * <p>No dead-letter topic: a report is superseded by the node's next heartbeat seconds later, so a
 * lost one costs a late count, never a wrong ruleset. The log line and the counter say it happened.
 */
final class ReportFoldProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ReportFoldProcessor.class);
    private static final long DAY_MS = 86_400_000L;
    private static final String SEGMENT_PREFIX = "segment:";

    private final AvroDeserializer<EvaluatorReport> reports;
    private final AvroDeserializer<FlagState> flagStates;
    private final EvaluatorReportsTopology.Settings settings;
    private final ReportLimits limits;
    private final Clock clock;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> evaluators;
    private KeyValueStore<String, byte[]> applied;
    private KeyValueStore<String, byte[]> usage;
    private KeyValueStore<String, byte[]> flags;
    private int nodes;
    private long usageKeys;

    ReportFoldProcessor(AvroDeserializer<EvaluatorReport> reports, AvroDeserializer<FlagState> flagStates,
                        EvaluatorReportsTopology.Settings settings) {
        this.reports = reports;
        this.flagStates = flagStates;
        this.settings = settings;
        this.limits = settings.limits();
        this.clock = settings.clock();
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.evaluators = context.getStateStore(TelemetryStores.EVALUATORS);
        this.applied = context.getStateStore(TelemetryStores.APPLIED);
        this.usage = context.getStateStore(TelemetryStores.USAGE);
        this.flags = context.getStateStore(TelemetryStores.FLAG_STATES);
        // exact counts for the caps: the stores are restored before init, and both are bounded by those caps
        try (KeyValueIterator<String, byte[]> all = evaluators.all()) {
            while (all.hasNext()) {
                all.next();
                nodes++;
            }
        }
        try (KeyValueIterator<String, byte[]> all = usage.all()) {
            while (all.hasNext()) {
                all.next();
                usageKeys++;
            }
        }
        context.schedule(settings.purgeEvery(), PunctuationType.WALL_CLOCK_TIME, at -> forget());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        EvaluatorReport report;
        try {
            report = reports.deserialize(context.recordMetadata().map(RecordMetadata::topic).orElse(null), record.value());
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;   // the task fails and retries: the record is fine, the registry is away
            }
            settings.metrics().undecodable.incrementAndGet();
            LOG.warn("skipping undecodable evaluator report (key {}, {}): {}", Names.abbreviate(record.key()), position(),
                    e.getMessage());
            return;
        }
        String nodeId = report.getNodeId();
        if (!isNodeId(nodeId) || !nodeId.equals(record.key())) {
            settings.metrics().refused.incrementAndGet();
            LOG.warn("skipping evaluator report ({}): node id '{}' is not a node id or not its record key '{}'", position(),
                    Names.abbreviate(nodeId), Names.abbreviate(record.key()));
            return;
        }
        EvaluatorEntry before = TelemetryCodec.decode(evaluators.get(nodeId), EvaluatorEntry.class);
        long startedAt = report.getStartedAt().toEpochMilli();
        if (before != null && (startedAt < before.startedAtMs()
                || startedAt == before.startedAtMs() && report.getSequence() <= before.sequence())) {
            settings.metrics().repeated.incrementAndGet();
            return;
        }
        if (before == null && nodes >= limits.nodesPerPartition()) {
            settings.metrics().droppedEntries.incrementAndGet();
            LOG.warn("not registering evaluator '{}': {} evaluators already registered on this partition", Names.abbreviate(nodeId),
                    nodes);
            return;
        }
        long now = clock.millis();
        long seen = Math.min(report.getReportedAt().toEpochMilli(), now);
        int flagsTracked = before == null ? 0 : before.flagsTracked();
        long dropped = 0;
        List<AppliedVersion> versions = report.getApplied();
        int take = Math.min(versions.size(), limits.appliedPerReport());
        dropped += versions.size() - take;
        for (int i = 0; i < take; i++) {
            Applied result = apply(nodeId, versions.get(i), flagsTracked, now);
            dropped += result.dropped();
            flagsTracked += result.newFlags();
        }
        List<FlagUsage> counts = report.getUsage();
        take = Math.min(counts.size(), limits.usagePerReport());
        dropped += counts.size() - take;
        long today = Math.floorDiv(now, DAY_MS);
        for (int i = 0; i < take; i++) {
            dropped += count(counts.get(i), Math.floorDiv(seen, DAY_MS), seen, today - UsageEntry.DAYS + 1);
        }
        long droppedBefore = before == null ? 0 : before.droppedEntries();
        EvaluatorEntry entry = new EvaluatorEntry(nodeId, report.getKind().name(), cut(report.getHost()),
                environments(report.getEnvironments()), cut(report.getSoftwareVersion()), cut(report.getContractFingerprint()),
                startedAt, before == null ? seen : before.firstSeenMs(), Math.max(seen, before == null ? 0 : before.lastSeenMs()),
                report.getSequence(), report.getHeartbeatMs(), report.getStatus().name(),
                report.getStaleSince() == null ? null : report.getStaleSince().toEpochMilli(), report.getLagRecords(),
                report.getDroppedSinceStart(), flagsTracked, droppedBefore + dropped);
        evaluators.put(nodeId, TelemetryCodec.encode(entry));
        if (before == null) {
            nodes++;
        }
        settings.metrics().folded.incrementAndGet();
        settings.metrics().droppedEntries.addAndGet(dropped);
        settings.signal().fire();
    }

    private record Applied(int dropped, int newFlags) {
    }

    private Applied apply(String nodeId, AppliedVersion version, int flagsTracked, long now) {
        if (version.getKey().startsWith(SEGMENT_PREFIX)) {
            return new Applied(0, 0);   // segments have no propagation answer (yet); not a fault of the reporter
        }
        if (!Names.isEnvironment(version.getEnvironment()) || !Names.isFlagKey(version.getKey()) || version.getVersion() < 1) {
            return new Applied(1, 0);
        }
        String stateKey = RecordKeys.of(version.getEnvironment(), version.getKey());
        String key = TelemetryStores.appliedKey(nodeId, stateKey);
        AppliedVersions kept = TelemetryCodec.decode(applied.get(key), AppliedVersions.class);
        int newFlags = 0;
        if (kept == null) {
            if (flagsTracked >= limits.flagsPerNode()) {
                return new Applied(1, 0);
            }
            kept = AppliedVersions.empty();
            newFlags = 1;
        }
        if (kept.has(version.getVersion())) {
            return new Applied(0, newFlags);
        }
        long at = Math.min(version.getAppliedAt().toEpochMilli(), now);
        applied.put(key, TelemetryCodec.encode(kept.with(version.getVersion(), at, limits.versionsKept())));
        observeLatency(stateKey, version.getVersion(), at);
        return new Applied(0, newFlags);
    }

    /** The latency of a node applying the flag's current version: that version's event time → applied. */
    private void observeLatency(String stateKey, long version, long appliedAt) {
        byte[] bytes = flags.get(stateKey);
        if (bytes == null) {
            return;   // the global copy has not seen the flag yet (it reads flag-state as the nodes do)
        }
        try {
            FlagState state = flagStates.deserialize(null, bytes);
            if (state.getVersion() == version) {
                settings.metrics().observeLatency(appliedAt - state.getLastChange().getOccurredAt().toEpochMilli());
            }
        } catch (WireFormatException e) {
            // an undecodable flag-state record: every reader skips it, and so does the histogram
        }
    }

    private long count(FlagUsage flag, long day, long seen, long oldestDay) {
        if (!Names.isEnvironment(flag.getEnvironment()) || !Names.isFlagKey(flag.getFlagKey())) {
            return 1;
        }
        Map<String, Long> variants = new LinkedHashMap<>();
        long dropped = 0;
        for (VariantCount count : flag.getVariants()) {
            if (count.getVariant().length() > ReportLimits.MAX_TEXT) {
                dropped++;
            } else {
                variants.merge(count.getVariant(), count.getCount(), (a, b) -> a < 0 || b < 0 ? -1 : UsageEntry.saturatingAdd(a, b));
            }
        }
        String key = RecordKeys.of(flag.getEnvironment(), flag.getFlagKey());
        UsageEntry current = TelemetryCodec.decode(usage.get(key), UsageEntry.class);
        if (current == null) {
            if (usageKeys >= limits.usageKeysPerPartition()) {
                return dropped + 1;
            }
            current = UsageEntry.empty();
            usageKeys++;
        }
        UsageEntry.Added added = current.add(day, variants, seen, oldestDay, limits.variantsPerFlag());
        usage.put(key, TelemetryCodec.encode(added.entry()));
        return dropped + added.dropped();
    }

    /**
     * Forgets nodes not seen for {@code forgetAfter} (their applied versions with them) and usage
     * older than the window, so the stores hold what the answers can still use.
     */
    private void forget() {
        long now = clock.millis();
        List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = evaluators.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> next = all.next();
                EvaluatorEntry entry = TelemetryCodec.decode(next.value, EvaluatorEntry.class);
                if (now - entry.lastSeenMs() > settings.forgetAfter().toMillis()) {
                    gone.add(next.key);
                }
            }
        }
        for (String nodeId : gone) {
            List<String> keys = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> range = applied.range(TelemetryStores.appliedFrom(nodeId),
                    TelemetryStores.appliedTo(nodeId))) {
                range.forEachRemaining(kv -> keys.add(kv.key));
            }
            keys.forEach(applied::delete);
            evaluators.delete(nodeId);
            nodes--;
        }
        long oldestDay = Math.floorDiv(now, DAY_MS) - UsageEntry.DAYS + 1;
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = usage.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> next = all.next();
                if (TelemetryCodec.decode(next.value, UsageEntry.class).newestDay() < oldestDay) {
                    old.add(next.key);
                }
            }
        }
        old.forEach(usage::delete);
        usageKeys -= old.size();
        if (!gone.isEmpty()) {
            LOG.info("forgot {} evaluators not seen for {}", gone.size(), settings.forgetAfter());
        }
    }

    /** Printable ASCII without spaces, 1 to 256 characters: what a node id can be and still be a store key. */
    static boolean isNodeId(String nodeId) {
        if (nodeId == null || nodeId.isEmpty() || nodeId.length() > ReportLimits.MAX_TEXT) {
            return false;
        }
        for (int i = 0; i < nodeId.length(); i++) {
            char c = nodeId.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private List<String> environments(List<String> names) {
        List<String> kept = new ArrayList<>();
        for (String name : names) {
            if (kept.size() == limits.environments()) {
                break;
            }
            if ((name.equals("*") || Names.isEnvironment(name)) && !kept.contains(name)) {
                kept.add(name);
            }
        }
        return kept;
    }

    private static String cut(String text) {
        return text.length() <= ReportLimits.MAX_TEXT ? text : text.substring(0, ReportLimits.MAX_TEXT);
    }

    private String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }
}
