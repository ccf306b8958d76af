package io.flagplane.command.log;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys.FlagRef;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service's consistent view: every flag as of the last event this instance has
 * committed or read. Written only by the single writer thread (and by the log reader before
 * serving); read by any HTTP thread.
 */
public final class FlagStates {

    private static final Logger LOG = LoggerFactory.getLogger(FlagStates.class);

    private final Map<FlagRef, FlagState> flags = new ConcurrentHashMap<>();

    public FlagState get(FlagRef ref) {
        return flags.get(ref);
    }

    public List<FlagState> list(String environment) {
        return flags.entrySet().stream()
                .filter(e -> e.getKey().environment().equals(environment))
                .map(Map.Entry::getValue)
                .sorted((a, b) -> a.getFlagKey().compareTo(b.getFlagKey()))
                .toList();
    }

    public int size() {
        return flags.size();
    }

    void putAll(Map<FlagRef, FlagState> states) {
        flags.putAll(states);
    }

    /** Folds an event read from the log; a stale one (already applied) changes nothing. */
    void fold(FlagEvent event) {
        FlagRef ref = new FlagRef(event.getEnvironment(), event.getFlagKey());
        FlagStateFold.Result result = FlagStateFold.apply(flags.get(ref), event);
        switch (result.outcome()) {
            case APPLIED -> {
                flags.put(ref, result.state());
                if (result.detail() != null) {
                    LOG.warn("flag {}: {}", ref, result.detail());
                }
            }
            case STALE -> {
                // our own write, read back during recovery
            }
            case REJECTED -> LOG.warn("event {} for {} cannot apply: {}", event.getEventId(), ref, result.detail());
        }
    }

    Collection<FlagState> all() {
        return flags.values();
    }
}
