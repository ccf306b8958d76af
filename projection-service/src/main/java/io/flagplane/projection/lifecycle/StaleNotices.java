package io.flagplane.projection.lifecycle;

import io.flagplane.avro.FlagNotice;
import io.flagplane.avro.FlagState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Announces, once, each flag that becomes potentially stale: a {@code FlagNotice} on
 * {@code flag-notices}, which the live event stream shows beside the changes.
 *
 * <p>"Once" is a fact kept in a changelogged store ({@value #STORE}, key {@code environment/flagKey}
 * → the notice's id), in the same task as the flag: it survives a restart and moves with the flag's
 * partition on a rebalance, so no re-check, restart or other instance announces the flag again. The
 * mark is removed when the flag stops being stale (a longer lifetime, a kind meant to stay,
 * archived), so a flag that becomes stale again is announced again. Under at-least-once a crash
 * between the notice and the commit can repeat it; the notice id is stable so readers can drop it.
 *
 * <p>Flags are checked when they change (a shorter lifetime takes effect at once) and on a
 * wall-clock schedule, since time alone makes a flag stale. "Now" is the injected clock.
 */
public final class StaleNotices implements Processor<String, Object, String, FlagNotice> {

    public static final String STORE = "stale-announced";
    public static final String TYPE = "FlagPotentiallyStale";

    private final String flagStore;
    private final Clock clock;
    private final Duration checkEvery;
    private final Runnable afterCheck;
    private ProcessorContext<String, FlagNotice> context;
    private KeyValueStore<String, FlagState> flags;
    private KeyValueStore<String, String> announced;

    /**
     * @param flagStore  the fold's store of current flags, read here
     * @param afterCheck told after each scheduled pass over every flag (a counter)
     */
    public StaleNotices(String flagStore, Clock clock, Duration checkEvery, Runnable afterCheck) {
        this.flagStore = flagStore;
        this.clock = clock;
        this.checkEvery = checkEvery;
        this.afterCheck = afterCheck;
    }

    @Override
    public void init(ProcessorContext<String, FlagNotice> context) {
        this.context = context;
        this.flags = context.getStateStore(flagStore);
        this.announced = context.getStateStore(STORE);
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, at -> checkAll());
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.value() instanceof FlagState state) {
            check(record.key(), state, clock.instant());
        }
    }

    private void checkAll() {
        Instant now = clock.instant();
        List<KeyValue<String, FlagState>> all = new ArrayList<>();
        try (KeyValueIterator<String, FlagState> it = flags.all()) {
            it.forEachRemaining(all::add);
        }
        all.forEach(kv -> check(kv.key, kv.value, now));
        afterCheck.run();
    }

    private void check(String key, FlagState flag, Instant now) {
        Instant staleFrom = Lifecycle.staleFrom(flag);
        boolean stale = !flag.getArchived() && staleFrom != null && now.isAfter(staleFrom);
        String mark = announced.get(key);
        if (stale && mark == null) {
            String id = key + "/" + TYPE + "/" + flag.getVersion();
            announced.put(key, id);
            FlagNotice notice = FlagNotice.newBuilder().setNoticeId(id).setEnvironment(flag.getEnvironment())
                    .setFlagKey(flag.getFlagKey()).setVersion(flag.getVersion()).setType(TYPE).setNoticedAt(now)
                    .setReason(Lifecycle.of(flag, null, now).reason()).build();
            // the record's time is Kafka Streams' wall clock: the injected clock may be a test's, days ahead, and a
            // broker refuses timestamps too far in the future
            context.forward(new Record<>(key, notice, context.currentSystemTimeMs()));
        } else if (!stale && mark != null) {
            announced.delete(key);
        }
    }
}
