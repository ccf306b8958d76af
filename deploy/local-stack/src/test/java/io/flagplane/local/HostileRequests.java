package io.flagplane.local;

import static io.flagplane.local.HostileBodies.ENV;
import static io.flagplane.local.HostileBodies.VICTIM;

import com.fasterxml.jackson.databind.node.TextNode;
import io.flagplane.local.Probe.Api;
import io.flagplane.local.Probe.Expect;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The hostile requests, family by family, as tables (every case, always) and seeded samples (a
 * chosen number drawn from a larger space). Fixtures the suite creates first: the flags
 * {@code hostile.victim} (writes aim here), {@code hostile.split} (reads aim here),
 * {@code hostile.killable} (tag {@code hostile-killable}), and the segments {@code hostile-seg}
 * and {@code hostile-ref}. Nothing here sends anything.
 */
final class HostileRequests {

    static final String SPLIT = ENV + "/flags/hostile.split";
    static final String OFREP_ONE = "/ofrep/v1/evaluate/flags/hostile.split";
    static final String OFREP_ALL = "/ofrep/v1/evaluate/flags";

    /** A route and the methods it answers. */
    record Route(Api api, String path, Set<String> methods) {
    }

    /** The POST routes of the read side that take an evaluation context. */
    static final List<Route> CONTEXT_ROUTES = List.of(
            new Route(Api.EDGE, OFREP_ONE, Set.of("POST")),
            new Route(Api.EDGE, OFREP_ALL, Set.of("POST")),
            new Route(Api.EDGE, "/api/v1/check/hostile.split", Set.of("POST")),
            new Route(Api.EDGE, "/api/v1/features", Set.of("POST")),
            new Route(Api.PROJECTION, SPLIT + "/evaluate", Set.of("POST")));


    private final String token;

    HostileRequests(String token) {
        this.token = token;
    }

    private Probe.Builder probe(Api api, String method, String target) {
        return Probe.to(api, method, target).bearer(token);
    }

    static String flipCase(String text) {
        return io.flagplane.http.RawConnection.flipCase(text);
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ an environment nobody declared

    /** {@code prodution} and friends: a create there is 404 ENVIRONMENT_NOT_FOUND; nothing is written anywhere. */
    List<Probe> undeclaredEnvironments() {
        List<Probe> out = new ArrayList<>();
        for (String env : List.of("prodution", "prod", "qa", "production2", "staging-eu")) {
            String base = "/api/v1/environments/" + env;
            out.add(probe(Api.COMMAND, "POST", base + "/flags").label("create flag in " + env)
                    .json(HostileBodies.freshen("{\"key\":\"hostile.fresh\",\"type\":\"boolean\",\"enabled\":true}"
                            .getBytes(StandardCharsets.UTF_8))).expect(Expect.exactly(404, "ENVIRONMENT_NOT_FOUND")).build());
            out.add(probe(Api.COMMAND, "POST", base + "/segments").label("create segment in " + env)
                    .json(HostileBodies.freshen("{\"key\":\"hostile-fresh\",\"included\":[\"u\"]}".getBytes(StandardCharsets.UTF_8)))
                    .expect(Expect.exactly(404, "ENVIRONMENT_NOT_FOUND")).build());
            out.add(probe(Api.COMMAND, "PUT", base + "/flags/hostile.victim").label("replace flag in " + env)
                    .json(HostileBodies.stringFlag("hostile.victim")).expect(Expect.refusedWith("ENVIRONMENT_NOT_FOUND")).build());
            out.add(probe(Api.COMMAND, "POST", base + "/flags/hostile.victim/kill").label("kill in " + env)
                    .json("{\"reason\":\"hostile suite\"}").expect(Expect.refusedWith("ENVIRONMENT_NOT_FOUND")).build());
            out.add(probe(Api.COMMAND, "POST", base + "/kill-by-tag").label("kill-by-tag in " + env)
                    .json("{\"tag\":\"hostile\"}").expect(Expect.refusedWith("ENVIRONMENT_NOT_FOUND")).build());
            out.add(probe(Api.COMMAND, "POST", "/api/v1/changesets").label("change set into " + env)
                    .json(HostileBodies.freshen(("{\"commands\":[{\"action\":\"createFlag\",\"environment\":\"" + env
                            + "\",\"key\":\"hostile.fresh\",\"type\":\"boolean\"}]}").getBytes(StandardCharsets.UTF_8)))
                    .expect(Expect.refusedWith("ENVIRONMENT_NOT_FOUND")).build());
        }
        return out;
    }

    // ------------------------------------------------------------------ bodies

    /** Probes for sampled body mutations, grouped by base body in {@link HostileBodies#bases()} order. */
    List<Probe> bodyMutations(Random random, int count) {
        List<HostileBodies.Mutation> all = new ArrayList<>(HostileBodies.commandMutations());
        Collections.shuffle(all, random);
        List<HostileBodies.Mutation> sample = new ArrayList<>(all.subList(0, Math.min(count, all.size())));
        List<HostileBodies.Base> bases = HostileBodies.bases();
        sample.sort((a, b) -> Integer.compare(bases.indexOf(a.base()), bases.indexOf(b.base())));
        List<Probe> out = new ArrayList<>();
        for (HostileBodies.Mutation mutation : sample) {
            HostileBodies.Body body = mutation.materialise();
            out.add(probe(Api.COMMAND, mutation.base().method(), mutation.base().path()).label(body.label())
                    .json(HostileBodies.freshen(body.bytes())).expect(body.mustRefuse() ? Expect.refused() : Expect.any()).build());
        }
        return out;
    }

    /** The structural mutations everyone asks about first, sent whatever the sample holds. */
    List<Probe> bodyMustHaves() {
        return List.of(
                probe(Api.COMMAND, "PUT", VICTIM + "/rules").label("{\"rules\": null}").json("{\"rules\":null}")
                        .expect(Expect.refused()).build(),
                probe(Api.COMMAND, "POST", ENV + "/flags").label("\"enabeld\": true")
                        .json(HostileBodies.freshen("{\"key\":\"hostile.fresh\",\"type\":\"boolean\",\"enabeld\":true}"
                                .getBytes(StandardCharsets.UTF_8))).expect(Expect.refused()).build(),
                probe(Api.COMMAND, "POST", ENV + "/flags").label("key null")
                        .json("{\"key\":null,\"type\":\"boolean\"}").expect(Expect.refused()).build(),
                probe(Api.COMMAND, "PATCH", VICTIM + "/rollout").label("percentage as string")
                        .json("{\"percentage\":\"50\",\"variant\":\"a\"}").expect(Expect.refused()).build(),
                probe(Api.COMMAND, "POST", VICTIM + "/allow-list").label("add as object")
                        .json("{\"add\":{\"user-1\":true},\"variant\":\"a\"}").expect(Expect.refused()).build(),
                probe(Api.COMMAND, "PUT", VICTIM + "/metadata").label("tags as string")
                        .json("{\"tags\":\"hostile\"}").expect(Expect.refused()).build());
    }

    /** The valid body of a base, sent before its mutations: proves a refusal is the mutation's doing. */
    Probe control(HostileBodies.Base base) {
        boolean create = base.method().equals("POST") && (base.path().endsWith("/flags") || base.path().endsWith("/segments"));
        return probe(Api.COMMAND, base.method(), base.path()).label("valid " + base.name())
                .json(HostileBodies.freshen(base.json().getBytes(StandardCharsets.UTF_8)))
                .expect(Expect.exactly(create ? 201 : 200)).build();
    }

    /** Puts {@code hostile.victim} back as the fixtures made it (rules a mutation wiped, a variant replaced). */
    Probe restoreVictim() {
        return probe(Api.COMMAND, "PUT", VICTIM).label("restore hostile.victim")
                .json(HostileBodies.stringDefinition()).expect(Expect.exactly(200)).build();
    }

    List<Probe> contextMutations() {
        List<Probe> out = new ArrayList<>();
        for (Route route : CONTEXT_ROUTES) {
            for (HostileBodies.Body body : HostileBodies.contextMutations()) {
                out.add(probe(route.api(), "POST", route.path()).label(body.label()).json(body.bytes())
                        .expect(body.mustRefuse() ? Expect.refused() : Expect.any()).build());
            }
        }
        return out;
    }

    /** Not one clean JSON document, on every write route of the command-service and every context route. */
    List<Probe> malformedBodies() {
        List<Probe> out = new ArrayList<>();
        for (HostileBodies.Base base : HostileBodies.bases()) {
            for (HostileBodies.Body body : HostileBodies.malformed(base.json(), !base.needsBody())) {
                out.add(probe(Api.COMMAND, base.method(), base.path()).label(base.name() + ": " + body.label())
                        .json(HostileBodies.freshen(body.bytes())).expect(body.mustRefuse() ? Expect.refused() : Expect.any())
                        .build());
            }
        }
        for (Route route : CONTEXT_ROUTES) {
            for (HostileBodies.Body body : HostileBodies.malformed(HostileBodies.CONTEXT, true)) {
                boolean lenient = body.label().equals("null");   // OFREP's "no context"
                out.add(probe(route.api(), "POST", route.path()).label(body.label()).json(body.bytes())
                        .expect(body.mustRefuse() && !lenient ? Expect.refused() : Expect.any()).build());
            }
        }
        return out;
    }

    /** Bodies over each service's limit (413), and strings far over each field's limit (4xx). */
    List<Probe> hugeBodies() {
        List<Probe> out = new ArrayList<>();
        int overCommand = 4 * 1024 * 1024 + 64 * 1024;
        byte[] bigCreate = HostileBodies.hugeString("{\"key\":\"hostile.fresh\",\"type\":\"boolean\"}", "description", overCommand);
        out.add(probe(Api.COMMAND, "POST", ENV + "/flags").label("4 MiB + 64 KiB body").json(HostileBodies.freshen(bigCreate))
                .expect(Expect.exactly(413)).build());
        out.add(probe(Api.COMMAND, "POST", ENV + "/flags").label("4 MiB + 64 KiB chunked body")
                .json(HostileBodies.freshen(bigCreate)).chunked().expect(Expect.exactly(413)).build());
        out.add(probe(Api.COMMAND, "POST", "/api/v1/changesets").label("5 MiB of 'a'")
                .json("a".repeat(5 * 1024 * 1024)).expect(Expect.exactly(413)).build());
        byte[] bigContext = HostileBodies.hugeString("{\"context\":{}}", "pad", overCommand);
        for (Route route : CONTEXT_ROUTES) {
            out.add(probe(route.api(), "POST", route.path()).label("4 MiB + 64 KiB body").json(bigContext)
                    .expect(Expect.exactly(413)).build());
            out.add(probe(route.api(), "POST", route.path()).label("4 MiB + 64 KiB chunked body").json(bigContext).chunked()
                    .expect(Expect.exactly(413)).build());
        }
        out.add(probe(Api.EDGE, "POST", OFREP_ONE).label("300 KiB body (edge limit 256 KiB)")
                .json(HostileBodies.hugeString("{\"context\":{}}", "pad", 300 * 1024)).expect(Expect.exactly(413)).build());
        out.add(probe(Api.PROJECTION, "POST", SPLIT + "/evaluate").label("70 KiB body (projection limit 64 KiB)")
                .json(HostileBodies.hugeString("{\"context\":{}}", "pad", 70 * 1024)).expect(Expect.exactly(413)).build());
        out.add(probe(Api.EDGE, "POST", OFREP_ONE).label("200 KB attribute under the limit")
                .json("{\"context\":{\"targetingKey\":\"u\",\"big\":\"" + "b".repeat(200_000) + "\"}}").expect(Expect.any()).build());
        for (HostileBodies.Base base : HostileBodies.bases()) {
            for (String field : List.of("reason", "description", "key", "tag", "owner")) {
                if (base.tree().has(field)) {
                    out.add(probe(Api.COMMAND, base.method(), base.path()).label(base.name() + ": 1,000,000-char " + field)
                            .json(HostileBodies.freshen(HostileBodies.hugeString(base.json(), field, 1_000_000)))
                            .expect(Expect.refused()).build());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ extreme numbers and instants

    /** Valid ISO-8601 instants at and near the ends of what {@link java.time.Instant} holds. */
    static final List<String> EXTREME_INSTANTS = List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
            "+1000000000-12-31T23:59:59.999999999Z", "-1000000000-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
            "2026-01-01T00:00:00+18:00");
    static final List<String> GARBAGE_INSTANTS = List.of("yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
            "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T25:00:00Z", "+1000000001-01-01T00:00:00Z", "1e400",
            "9223372036854775808", "2026-01-01T00:00:00Z\u0000", "\u202e2026-01-01T00:00:00Z", "-", "T");

    /** Extreme numbers where the API takes numbers, extreme instants where it takes instants. */
    List<Probe> extremeValues() {
        List<Probe> out = new ArrayList<>();
        for (String number : HostileBodies.EXTREME_NUMBERS) {
            String shown = HostileBodies.abbreviateNumber(number);
            out.add(probe(Api.COMMAND, "PATCH", VICTIM + "/rollout").label("percentage " + shown)
                    .json("{\"percentage\":" + number + ",\"variant\":\"a\"}").expect(Expect.refused()).build());
            out.add(probe(Api.COMMAND, "POST", ENV + "/flags").label("split weight " + shown)
                    .json(HostileBodies.freshen(("{\"key\":\"hostile.fresh\",\"type\":\"boolean\",\"fallthrough\":{\"split\":"
                            + "[{\"variant\":\"on\",\"weight\":" + number + "},{\"variant\":\"off\",\"weight\":0}]}}")
                            .getBytes(StandardCharsets.UTF_8))).expect(Expect.refused()).build());
            boolean representable = number.equals("1e-400") || number.length() < 25 && !number.contains("e");
            out.add(probe(Api.COMMAND, "POST", ENV + "/flags").label("number variant value " + shown)
                    .json(HostileBodies.freshen(("{\"key\":\"hostile.fresh\",\"type\":\"number\",\"variants\":[{\"key\":\"x\","
                            + "\"value\":" + number + "},{\"key\":\"zero\",\"value\":0}],\"offVariant\":\"zero\","
                            + "\"fallthrough\":{\"variant\":\"x\"}}").getBytes(StandardCharsets.UTF_8)))
                    .expect(representable ? Expect.any() : Expect.refused()).build());
            out.add(probe(Api.COMMAND, "POST", VICTIM + "/enable").label("expectedVersion " + shown)
                    .json("{\"expectedVersion\":" + number + "}").expect(Expect.refused()).build());
            out.add(probe(Api.COMMAND, "POST", ENV + "/flags/hostile.killable/revive").label("If-Match " + shown)
                    .header("If-Match", "\"" + number + "\"").json("{}").expect(Expect.refused()).build());
            for (String route : List.of(SPLIT + "/history", "/api/v1/audit")) {
                out.add(probe(Api.PROJECTION, "GET", route + "?limit=" + encode(number)).label("limit " + shown)
                        .expect(Expect.refused()).build());
            }
            out.add(probe(Api.PROJECTION, "GET", SPLIT + "?version=" + encode(number)).label("version " + shown)
                    .expect(Expect.refused()).build());
            out.add(probe(Api.PROJECTION, "GET", SPLIT + "/diff?from=1&to=" + encode(number)).label("diff to " + shown)
                    .expect(Expect.refused()).build());
        }
        for (String value : List.of("0", "-1", "1.5", "\"3\"", "true", "{}", "[1]")) {
            out.add(probe(Api.COMMAND, "POST", VICTIM + "/enable").label("expectedVersion " + value)
                    .json("{\"expectedVersion\":" + value + "}").expect(Expect.refused()).build());
        }
        for (String operator : List.of("before", "after")) {
            for (String instant : GARBAGE_INSTANTS) {
                out.add(timeRuleFlag(operator, instant, Expect.refused()));
            }
        }
        List<String> instants = new ArrayList<>(EXTREME_INSTANTS);
        instants.addAll(GARBAGE_INSTANTS);
        for (String instant : instants) {
            Expect expect = GARBAGE_INSTANTS.contains(instant) ? Expect.refused() : Expect.any();
            String q = encode(instant);
            out.add(probe(Api.PROJECTION, "GET", SPLIT + "?asOf=" + q).label("asOf " + instant).expect(expect).build());
            out.add(probe(Api.PROJECTION, "GET", ENV + "/segments/hostile-ref?asOf=" + q).label("segment asOf " + instant)
                    .expect(expect).build());
            out.add(probe(Api.PROJECTION, "GET", SPLIT + "/history?since=" + q).label("since " + instant).expect(expect).build());
            out.add(probe(Api.PROJECTION, "GET", SPLIT + "/history?until=" + q).label("until " + instant).expect(expect).build());
            out.add(probe(Api.PROJECTION, "GET", "/api/v1/audit?since=" + q).label("audit since " + instant).expect(expect)
                    .build());
            out.add(probe(Api.PROJECTION, "GET", "/api/v1/audit?until=" + q).label("audit until " + instant).expect(expect)
                    .build());
            out.add(probe(Api.PROJECTION, "GET", "/api/v1/export?asOf=" + q).label("export asOf " + instant).expect(expect)
                    .build());
            out.add(probe(Api.PROJECTION, "GET", ENV + "/export?asOf=" + q).label("environment export asOf " + instant)
                    .expect(expect).build());
            out.add(probe(Api.PROJECTION, "POST", SPLIT + "/evaluate?asOf=" + q).label("evaluate asOf " + instant)
                    .json(HostileBodies.CONTEXT).expect(expect).build());
            if (GARBAGE_INSTANTS.contains(instant)) {   // a valid one would open a stream
                out.add(probe(Api.PROJECTION, "GET", "/api/v1/events/stream?since=" + q).label("stream since " + instant)
                        .header("Accept", "text/event-stream").expect(expect).build());
            }
        }
        return out;
    }

    /** An accepted before/after flag, evaluated with extreme and broken {@code signup} values, now and at the ends of time. */
    List<Probe> timeRuleEvaluations(String key) {
        List<Probe> out = new ArrayList<>();
        for (String signup : List.of("\"2026-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"",
                "\"garbage\"", "1e400", "-9223372036854775808", "9223372036854775807")) {
            String context = "{\"context\":{\"targetingKey\":\"user-1\",\"signup\":" + signup + "}}";
            out.add(probe(Api.EDGE, "POST", "/ofrep/v1/evaluate/flags/" + key).label(key + " with signup " + signup).json(context)
                    .build());
            for (String asOf : List.of("", "?asOf=%2B999999999-12-31T23:59:59Z", "?asOf=-999999999-01-01T00:00:00Z")) {
                out.add(probe(Api.PROJECTION, "POST", ENV + "/flags/" + key + "/evaluate" + asOf)
                        .label(key + " evaluated" + asOf + " with signup " + signup).json(context).build());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ catastrophic regexes

    static final List<String> CATASTROPHIC_REGEXES = List.of("(a|a)*$", "(a|aa)+$", "(a+)+b", "^(([a-z])+.)+[A-Z]([a-z])+$",
            "(.*a){25}");
    /** 10,000 characters each: a run that almost matches, and text with few of the letters the patterns want. */
    static final List<String> REGEX_INPUTS = List.of("a".repeat(10_000) + "!", "abcdefghij".repeat(1_000) + "!");
    /** "Within a few seconds": longer and the request is as good as lost. */
    static final Duration REGEX_DEADLINE = Duration.ofSeconds(5);

    static String regexFlagKey(int index) {
        return "hostile.regex" + index;
    }

    /** A flag on for contexts whose {@code hostileText} matches the index-th catastrophic regex: refused, or accepted. */
    Probe regexFlag(int index) {
        String pattern = CATASTROPHIC_REGEXES.get(index);
        String body = "{\"key\":\"" + regexFlagKey(index) + "\",\"type\":\"boolean\",\"enabled\":true,"
                + "\"fallthrough\":{\"variant\":\"off\"},\"rules\":[{\"id\":\"r\",\"conditions\":[{\"attribute\":\"hostileText\","
                + "\"operator\":\"matches\",\"values\":[" + TextNode.valueOf(pattern) + "]}],\"serve\":{\"variant\":\"on\"}}]}";
        return probe(Api.COMMAND, "POST", ENV + "/flags").label("matches " + pattern).json(body).deadline(REGEX_DEADLINE).build();
    }

    /** The regex flag evaluated with a long input, at the edge and in the projection. */
    List<Probe> regexEvaluations(int index, String input) {
        String key = regexFlagKey(index);
        String pattern = CATASTROPHIC_REGEXES.get(index);
        String context = "{\"context\":{\"targetingKey\":\"user-1\",\"hostileText\":" + TextNode.valueOf(input) + "}}";
        String label = pattern + " on " + input.substring(0, 10) + "…(" + input.length() + " chars)";
        return List.of(
                probe(Api.EDGE, "POST", "/ofrep/v1/evaluate/flags/" + key).label(label).json(context).deadline(REGEX_DEADLINE).build(),
                probe(Api.PROJECTION, "POST", ENV + "/flags/" + key + "/evaluate").label(label).json(context)
                        .deadline(REGEX_DEADLINE).build());
    }

    // ------------------------------------------------------------------ time rules

    /** A new boolean flag on only for contexts whose {@code signup} is before/after an instant. */
    Probe timeRuleFlag(String operator, String instant, Expect expect) {
        String body = "{\"key\":\"hostile.fresh\",\"type\":\"boolean\",\"enabled\":true,\"fallthrough\":{\"variant\":\"off\"},"
                + "\"rules\":[{\"id\":\"t\",\"conditions\":[{\"attribute\":\"signup\",\"operator\":\"" + operator + "\",\"values\":["
                + TextNode.valueOf(instant) + "]}],\"serve\":{\"variant\":\"on\"}}]}";
        return probe(Api.COMMAND, "POST", ENV + "/flags").label("rule " + operator + " " + Probe.printable(instant))
                .json(HostileBodies.freshen(body.getBytes(StandardCharsets.UTF_8))).expect(expect).build();
    }
}
