package io.flagplane.projection.guardrails;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.TreeMap;

/**
 * One plan's figures for one variant over one time bucket, from the users of one partition (or, added
 * up, of all of them). Every user figure counts each user once, at the bucket of their latest such
 * moment, so a sum over the buckets at or after an instant is "users whose latest … is at or after
 * it" — the histogram trick that lets a window be read at any instant without revisiting users.
 *
 * @param exposed      users whose latest exposure to the plan (this variant) falls here
 * @param firstExposed users whose first exposure to the plan (this variant) falls here
 * @param active       users whose latest activity on this variant (an exposure or a tracked event) falls here
 * @param events       tracked events attributed to this variant that occurred here, by event key
 * @param users        users whose latest event of a key, attributed to this variant, falls here, by event key
 */
public record Cell(long exposed, long firstExposed, long active, Map<String, Long> events, Map<String, Long> users) {

    public static final Cell EMPTY = new Cell(0, 0, 0, Map.of(), Map.of());

    public Cell {
        events = Map.copyOf(events);
        users = Map.copyOf(users);
    }

    /** What one user's change does to a cell. */
    public enum Field {
        EXPOSED, FIRST_EXPOSED, ACTIVE, EVENTS, USERS
    }

    @JsonIgnore
    public boolean isEmpty() {
        return exposed == 0 && firstExposed == 0 && active == 0 && events.isEmpty() && users.isEmpty();
    }

    public long events(String eventKey) {
        return events.getOrDefault(eventKey, 0L);
    }

    public long users(String eventKey) {
        return users.getOrDefault(eventKey, 0L);
    }

    /**
     * This cell with {@code by} added to one figure ({@code eventKey} for EVENTS and USERS); null when
     * a new event key would make more than {@code maxKeys} keys (the change is dropped and counted).
     */
    Cell with(Field field, String eventKey, long by, int maxKeys) {
        return switch (field) {
            case EXPOSED -> new Cell(exposed + by, firstExposed, active, events, users);
            case FIRST_EXPOSED -> new Cell(exposed, firstExposed + by, active, events, users);
            case ACTIVE -> new Cell(exposed, firstExposed, active + by, events, users);
            case EVENTS -> {
                Map<String, Long> next = add(events, eventKey, by, maxKeys);
                yield next == null ? null : new Cell(exposed, firstExposed, active, next, users);
            }
            case USERS -> {
                Map<String, Long> next = add(users, eventKey, by, maxKeys);
                yield next == null ? null : new Cell(exposed, firstExposed, active, events, next);
            }
        };
    }

    private static Map<String, Long> add(Map<String, Long> counts, String key, long by, int maxKeys) {
        if (!counts.containsKey(key) && counts.size() >= maxKeys) {
            return null;
        }
        Map<String, Long> next = new TreeMap<>(counts);
        long value = next.getOrDefault(key, 0L) + by;
        if (value == 0) {
            next.remove(key);
        } else {
            next.put(key, value);
        }
        return next;
    }

    /** Two cells added up (two partitions' shares of the same bucket and variant, or two buckets). */
    public Cell plus(Cell other) {
        Map<String, Long> e = new TreeMap<>(events);
        other.events.forEach((k, v) -> e.merge(k, v, Long::sum));
        Map<String, Long> u = new TreeMap<>(users);
        other.users.forEach((k, v) -> u.merge(k, v, Long::sum));
        return new Cell(exposed + other.exposed, firstExposed + other.firstExposed, active + other.active, e, u);
    }
}
