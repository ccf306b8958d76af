package io.flagplane.local;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends probes to the stack, checks every answer against {@link ResponseRules}, watches the event
 * log around every command-service write, and keeps the tally for the closing summary line.
 * Violations are collected per family, so one run reports everything that is wrong, grouped.
 */
final class HostileRun {

    /** One broken rule on one answer. */
    record Violation(String rule, Probe.Api api, int status, String probe, String detail, String body) {
    }

    private final Map<Probe.Api, InetSocketAddress> addresses = new EnumMap<>(Probe.Api.class);
    private final EventLog events;
    private final long begin = System.nanoTime();
    private final Map<Probe.Api, AtomicLong> perApi = new EnumMap<>(Probe.Api.class);
    private final Map<String, AtomicLong> perClass = new TreeMap<>();
    private final AtomicLong total = new AtomicLong();

    HostileRun(String commandUrl, String projectionUrl, String edgeUrl, EventLog events) {
        addresses.put(Probe.Api.COMMAND, address(commandUrl));
        addresses.put(Probe.Api.PROJECTION, address(projectionUrl));
        addresses.put(Probe.Api.EDGE, address(edgeUrl));
        for (Probe.Api api : Probe.Api.values()) {
            perApi.put(api, new AtomicLong());
        }
        this.events = events;
    }

    private static InetSocketAddress address(String url) {
        URI uri = URI.create(url);
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    InetSocketAddress address(Probe.Api api) {
        return addresses.get(api);
    }

    Family family(String name) {
        return new Family(name);
    }

    /** Counts one request for the summary line, by API and by status class. */
    private synchronized void count(Probe.Api api, int status) {
        total.incrementAndGet();
        perApi.get(api).incrementAndGet();
        perClass.computeIfAbsent(status < 0 ? "no answer" : status / 100 + "xx", k -> new AtomicLong()).incrementAndGet();
    }

    synchronized String summary(long seed) {
        return String.format("hostile summary: seed=%d requests=%d (command=%d projection=%d edge=%d) by status %s in %.1f s",
                seed, total.get(), perApi.get(Probe.Api.COMMAND).get(), perApi.get(Probe.Api.PROJECTION).get(),
                perApi.get(Probe.Api.EDGE).get(), perClass, (System.nanoTime() - begin) / 1e9);
    }

    /** The probes of one family and what they broke. */
    final class Family {

        private final String name;
        private final List<Violation> violations = new ArrayList<>();
        private final long begin = System.nanoTime();
        private int sent;

        private Family(String name) {
            this.name = name;
        }

        /** Sends one probe, checks its answer; empty when there was no answer. Safe to call from several threads. */
        Optional<RawHttp.Response> send(Probe probe) {
            long before = probe.isCommandWrite() ? events.end() : 0;
            RawHttp.Response response = null;
            String missing = null;
            try {
                response = RawHttp.exchange(address(probe.api()), probe.bytes(), probe.isHead(), probe.deadline());
            } catch (RawHttp.NoAnswer e) {
                missing = e.getMessage();
            }
            synchronized (this) {
                if (response == null) {
                    noAnswer(probe, missing);
                } else {
                    record(probe, response);
                }
                checkWrites(probe, response == null ? -1 : response.status(), before);
            }
            return Optional.ofNullable(response);
        }

        /** Counts an answer and checks it against the rules. */
        synchronized void record(Probe probe, RawHttp.Response response) {
            sent++;
            count(probe.api(), response.status());
            for (String broken : ResponseRules.check(probe, response)) {
                int colon = broken.indexOf(':');
                violations.add(new Violation(broken.substring(0, colon), probe.api(), response.status(), probe.describe(),
                        broken.substring(colon + 1).trim(), response.text()));
            }
        }

        /** Counts a request that got no answer. */
        synchronized void noAnswer(Probe probe, String why) {
            sent++;
            count(probe.api(), -1);
            violations.add(new Violation(ResponseRules.NO_ANSWER, probe.api(), -1, probe.describe(), why, ""));
        }

        void sendAll(List<Probe> probes) {
            probes.forEach(this::send);
        }

        /** Sends probes that must all be refused, and checks the event log did not move across all of them. */
        void sendRefused(List<Probe> probes) {
            long before = events.end();
            sendAll(probes);
            long after = events.end();
            if (after != before) {
                violations.add(new Violation(ResponseRules.WROTE, Probe.Api.COMMAND, 0, "the whole batch of " + probes.size()
                        + " refused probes", "flag-events end offset moved from " + before + " to " + after, ""));
            }
        }

        /** A write that was refused, or had to be, must leave the event log as it was. */
        private void checkWrites(Probe probe, int status, long before) {
            if (!probe.isCommandWrite()) {
                return;
            }
            long moved = events.end() - before;
            boolean refused = status >= 400 || status < 0 || probe.expect().clientError();
            if (moved != 0 && refused) {
                violations.add(new Violation(ResponseRules.WROTE, probe.api(), status, probe.describe(),
                        "flag-events moved by " + moved + " offsets (answer " + status + ", expected " + probe.expect().describe()
                                + ")", ""));
            }
        }

        synchronized void violation(Probe.Api api, String rule, String probe, String detail) {
            violations.add(new Violation(rule, api, 0, probe, detail, ""));
        }

        String name() {
            return name;
        }

        List<Violation> violations() {
            return violations;
        }

        /** Violations grouped by rule, API and status, with the first examples of each group. */
        String report() {
            return report(2);
        }

        /** Every violation, grouped: what {@code target/hostile-report/} keeps for whoever fixes them. */
        String fullReport() {
            return report(Integer.MAX_VALUE);
        }

        private String report(int examples) {
            Map<String, List<Violation>> groups = new LinkedHashMap<>();
            for (Violation v : violations) {
                groups.computeIfAbsent(v.rule() + " | " + v.api() + " | " + (v.status() == 0 ? "-" : String.valueOf(v.status())),
                        k -> new ArrayList<>()).add(v);
            }
            StringBuilder out = new StringBuilder().append("family '").append(name).append("': ").append(sent)
                    .append(" requests in ").append(String.format("%.1f", (System.nanoTime() - begin) / 1e9)).append(" s, ")
                    .append(violations.size()).append(" violations in ").append(groups.size()).append(" groups\n");
            groups.forEach((group, list) -> {
                out.append("  ").append(group).append(" x").append(list.size()).append('\n');
                for (Violation v : list.subList(0, Math.min(examples, list.size()))) {
                    out.append("      e.g. ").append(v.probe()).append("\n           ").append(v.detail());
                    if (!v.body().isEmpty()) {
                        out.append("\n           body: ").append(Probe.abbreviate(Probe.printable(v.body().strip()), 300));
                    }
                    out.append('\n');
                }
            });
            return out.toString();
        }
    }
}
