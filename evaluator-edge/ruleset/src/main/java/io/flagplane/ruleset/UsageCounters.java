package io.flagplane.ruleset;

import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.Flag;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every flag's {@link FlagUsageCounters}, made when a flag first arrives and kept (across versions,
 * and after a flag is removed, so that nothing counted is lost), so a harvest sees every count.
 * The ruleset snapshot holds each flag's counters beside the flag, so counting never looks here.
 *
 * <p>{@link #DISABLED} counts nothing: the snapshot then holds no counters at all, and counting an
 * evaluation is one lookup in an empty map.
 */
public final class UsageCounters {

    public static final UsageCounters DISABLED = new UsageCounters(false);

    private final boolean enabled;
    private final ConcurrentHashMap<FlagRef, FlagUsageCounters> byFlag = new ConcurrentHashMap<>();

    private UsageCounters(boolean enabled) {
        this.enabled = enabled;
    }

    public static UsageCounters enabled() {
        return new UsageCounters(true);
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** The flag's counters, ready for its new version; null when counting is disabled. Applying thread only. */
    FlagUsageCounters forFlag(String environment, Flag flag) {
        if (!enabled) {
            return null;
        }
        FlagUsageCounters counters = byFlag.computeIfAbsent(new FlagRef(environment, flag.key()),
                ref -> new FlagUsageCounters(this, ref.environment(), ref.key()));
        counters.adopt(flag);
        flag.attach(counters);   // before the snapshot holding the flag is published
        return counters;
    }

    /** Hands every count made since the last harvest to {@code sink}, and starts counting again from zero. */
    public void harvest(FlagUsageCounters.Sink sink) {
        byFlag.values().forEach(counters -> counters.harvest(sink));
    }
}
