package io.flagplane.ruleset;

import io.flagplane.contract.RecordKeys.FlagRef;
import io.flagplane.evaluation.Flag;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link Ruleset} in one {@link AtomicReference} and applies batches of
 * updates copy-on-write. Upserts are version-gated: an update whose version is not above the
 * flag's current version is dropped, so a replayed or duplicated record can never move a flag
 * backwards. Only the applying thread writes; any thread reads.
 */
public final class RulesetStore {

    private static final Logger LOG = LoggerFactory.getLogger(RulesetStore.class);

    /** One flag's new state ({@code flag} set) or removal ({@code flag} null, a Kafka tombstone). */
    public record Update(FlagRef ref, Flag flag) {
    }

    private final AtomicReference<Ruleset> current = new AtomicReference<>(Ruleset.EMPTY);
    private final List<Consumer<List<FlagRef>>> listeners = new CopyOnWriteArrayList<>();

    public Ruleset current() {
        return current.get();
    }

    /** Called, on the applying thread, with the flags each applied batch changed. */
    public void onChange(Consumer<List<FlagRef>> listener) {
        listeners.add(listener);
    }

    /** Applies what moves flags forward; returns the flags that changed. */
    public List<FlagRef> apply(List<Update> updates) {
        Ruleset before = current.get();
        Map<String, Map<String, Flag>> changes = new HashMap<>();
        Set<FlagRef> changed = new LinkedHashSet<>();
        for (Update update : updates) {
            FlagRef ref = update.ref();
            Map<String, Flag> envChanges = changes.computeIfAbsent(ref.environment(), e -> new HashMap<>());
            Flag known = envChanges.containsKey(ref.flagKey()) ? envChanges.get(ref.flagKey())
                    : before.flag(ref.environment(), ref.flagKey());
            if (update.flag() != null && known != null && update.flag().version() <= known.version()) {
                continue;
            }
            if (update.flag() == null && known == null) {
                continue;
            }
            envChanges.put(ref.flagKey(), update.flag());
            changed.add(ref);
        }
        if (changed.isEmpty()) {
            return List.of();
        }
        changes.values().removeIf(Map::isEmpty);
        List<FlagRef> changedFlags = List.copyOf(changed);
        current.set(before.with(changes, changedFlags.size()));
        for (Consumer<List<FlagRef>> listener : listeners) {
            try {
                listener.accept(changedFlags);
            } catch (RuntimeException e) {
                LOG.warn("a ruleset change listener failed", e);
            }
        }
        return changedFlags;
    }
}
