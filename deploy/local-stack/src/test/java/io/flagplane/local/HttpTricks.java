package io.flagplane.local;

import static io.flagplane.local.HostileBodies.ENV;
import static io.flagplane.local.HostileBodies.VICTIM;
import static io.flagplane.local.HostileRequests.EXTREME_INSTANTS;
import static io.flagplane.local.HostileRequests.GARBAGE_INSTANTS;
import static io.flagplane.local.HostileRequests.OFREP_ALL;
import static io.flagplane.local.HostileRequests.OFREP_ONE;
import static io.flagplane.local.HostileRequests.SPLIT;
import static io.flagplane.local.HostileRequests.encode;
import static io.flagplane.local.HostileRequests.flipCase;

import io.flagplane.local.HostileRequests.Route;
import io.flagplane.local.Probe.Api;
import io.flagplane.local.Probe.Expect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Hostile requests at the HTTP level rather than in the body: headers (credentials, sizes,
 * control characters, framing), methods no route answers, paths and query strings no API
 * expects. Tables run whole; the path and query spaces are sampled with a seeded random.
 * Aimed at the fixtures {@link HostileRequests} describes. Nothing here sends anything.
 */
final class HttpTricks {

    /** Every route of the three APIs and the methods it answers. */
    static final List<Route> ROUTES = List.of(
            new Route(Api.COMMAND, ENV + "/flags", Set.of("GET", "POST")),
            new Route(Api.COMMAND, SPLIT, Set.of("GET", "PUT")),
            new Route(Api.COMMAND, SPLIT + "/kill", Set.of("POST")),
            new Route(Api.COMMAND, SPLIT + "/enable", Set.of("POST")),
            new Route(Api.COMMAND, SPLIT + "/rollout", Set.of("PATCH")),
            new Route(Api.COMMAND, SPLIT + "/allow-list", Set.of("POST")),
            new Route(Api.COMMAND, SPLIT + "/deny-list", Set.of("POST")),
            new Route(Api.COMMAND, SPLIT + "/rules", Set.of("PUT")),
            new Route(Api.COMMAND, SPLIT + "/metadata", Set.of("PUT")),
            new Route(Api.COMMAND, ENV + "/kill-by-tag", Set.of("POST")),
            new Route(Api.COMMAND, ENV + "/segments", Set.of("GET", "POST")),
            new Route(Api.COMMAND, ENV + "/segments/hostile-seg", Set.of("GET", "PUT")),
            new Route(Api.COMMAND, ENV + "/segments/hostile-seg/archive", Set.of("POST")),
            new Route(Api.COMMAND, "/api/v1/changesets", Set.of("POST")),
            new Route(Api.COMMAND, "/api/v1/tokens", Set.of("GET")),
            new Route(Api.COMMAND, "/api/v1/openapi.yaml", Set.of("GET")),
            new Route(Api.COMMAND, "/health/ready", Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT, Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT + "/history", Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT + "/diff", Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT + "/evaluate", Set.of("POST")),
            new Route(Api.PROJECTION, ENV + "/segments/hostile-ref", Set.of("GET")),
            new Route(Api.PROJECTION, ENV + "/export", Set.of("GET")),
            new Route(Api.PROJECTION, "/api/v1/export", Set.of("GET")),
            new Route(Api.PROJECTION, "/api/v1/audit", Set.of("GET")),
            new Route(Api.PROJECTION, "/api/v1/events/stream", Set.of("GET")),
            new Route(Api.PROJECTION, "/api/v1/status", Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT + "/propagation", Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT + "/propagation/stream", Set.of("GET")),
            new Route(Api.PROJECTION, SPLIT + "/usage", Set.of("GET")),
            new Route(Api.PROJECTION, ENV + "/flags", Set.of("GET")),
            new Route(Api.PROJECTION, ENV + "/evaluators", Set.of("GET")),
            new Route(Api.PROJECTION, "/api/v1/evaluators", Set.of("GET")),
            new Route(Api.PROJECTION, "/health/ready", Set.of("GET")),
            new Route(Api.EDGE, OFREP_ONE, Set.of("POST")),
            new Route(Api.EDGE, OFREP_ALL, Set.of("POST")),
            new Route(Api.EDGE, "/ofrep/v1/configuration", Set.of("GET")),
            new Route(Api.EDGE, "/ofrep/v1/events", Set.of("GET")),
            new Route(Api.EDGE, "/api/v1/check/hostile.split", Set.of("GET", "POST")),
            new Route(Api.EDGE, "/api/v1/features", Set.of("GET", "POST")),
            new Route(Api.EDGE, "/api/v1/status", Set.of("GET")),
            new Route(Api.EDGE, "/health/ready", Set.of("GET")),
            new Route(Api.EDGE, "/metrics", Set.of("GET")));

    private final String token;

    HttpTricks(String token) {
        this.token = token;
    }

    private Probe.Builder probe(Api api, String method, String target) {
        return Probe.to(api, method, target).bearer(token);
    }

    // ------------------------------------------------------------------ headers

    /** The requests header tricks are tried on: reads and writes on each API. */
    private List<Probe.Builder> headerTargets() {
        return List.of(
                Probe.to(Api.COMMAND, "GET", ENV + "/flags"),
                Probe.to(Api.COMMAND, "POST", ENV + "/flags")
                        .json(HostileBodies.freshen("{\"key\":\"hostile.fresh\",\"type\":\"boolean\"}".getBytes(StandardCharsets.UTF_8))),
                Probe.to(Api.PROJECTION, "GET", SPLIT + "/history"),
                Probe.to(Api.EDGE, "POST", OFREP_ONE).json(HostileBodies.CONTEXT),
                Probe.to(Api.EDGE, "GET", "/api/v1/check/hostile.split?userId=user-1"));
    }

    List<Probe> headerTricks() {
        List<Probe> out = new ArrayList<>();
        String flipped = flipCase(token);
        String bigToken = "t".repeat(10 * 1024);
        Map<String, Expect> authorizations = new LinkedHashMap<>();
        authorizations.put("Authorization: Bearer", Expect.exactly(401));
        authorizations.put("Authorization: Bearer ", Expect.exactly(401));
        authorizations.put("Authorization: Basic dXNlcjpwYXNz", Expect.exactly(401));
        authorizations.put("Authorization: Bearer fpt_garbage", Expect.exactly(401));
        authorizations.put("Authorization: Bearer " + flipped, Expect.exactly(401));
        authorizations.put("Authorization: Bearer " + token + "x", Expect.exactly(401));
        authorizations.put("Authorization: Bearer " + token.substring(0, token.length() - 1), Expect.exactly(401));
        authorizations.put("Authorization: Bearer " + token + " " + token, Expect.exactly(401));
        authorizations.put("Authorization: Token " + token, Expect.exactly(401));
        authorizations.put("Authorization: Bearer\t" + token, Expect.any());
        authorizations.put("Authorization: Bearer  " + token, Expect.any());
        authorizations.put("Authorization: bearer " + token, Expect.any());
        authorizations.put("Authorization: BEARER " + token, Expect.any());
        authorizations.put("Authorization:Bearer " + token, Expect.any());
        authorizations.put("Authorization: Bearer " + bigToken, Expect.refused());
        authorizations.put("Authorization: Bearer " + token + "\u0000", Expect.refused());
        authorizations.put("Authorization: Bearer " + token + "\u0001", Expect.refused());
        authorizations.put("Authorization: Bearer \u00ff\u00fe\u00c0\u00af", Expect.exactly(401));
        authorizations.put("Authorization: Bearer\r\n " + token, Expect.any());
        for (Map.Entry<String, Expect> authorization : authorizations.entrySet()) {
            for (Probe.Builder target : headerTargets()) {
                out.add(target.headerLine(authorization.getKey()).label("auth '" + Probe.abbreviate(Probe.printable(
                        authorization.getKey().replace(token, "<token>").replace(flipped, "<flipped token>")), 60) + "'")
                        .expect(authorization.getValue()).build());
            }
        }
        for (Probe.Builder target : headerTargets()) {
            out.add(target.label("no Authorization").expect(Expect.exactly(401)).build());
        }
        for (Probe.Builder target : headerTargets()) {
            out.add(target.header("Authorization", "Bearer " + token).header("Authorization", "Bearer garbage")
                    .label("two Authorization headers").expect(Expect.any()).build());
        }
        out.add(Probe.to(Api.COMMAND, "GET", ENV + "/flags").header("X-API-Key", token).label("X-API-Key on command")
                .expect(Expect.exactly(401)).build());
        out.add(Probe.to(Api.EDGE, "POST", OFREP_ONE).header("X-API-Key", "garbage").json(HostileBodies.CONTEXT)
                .label("X-API-Key garbage").expect(Expect.exactly(401)).build());
        out.add(Probe.to(Api.EDGE, "POST", OFREP_ONE).header("X-API-Key", flipped).json(HostileBodies.CONTEXT)
                .label("X-API-Key flipped case").expect(Expect.exactly(401)).build());

        for (String key : List.of("k".repeat(10 * 1024), "a\u0001b", "")) {
            out.add(probe(Api.COMMAND, "POST", VICTIM + "/enable").header("Idempotency-Key", key)
                    .label("Idempotency-Key '" + Probe.abbreviate(Probe.printable(key), 20) + "'").json("{}")
                    .expect(Expect.refused()).build());
        }
        for (String ifMatch : List.of("garbage", "\"abc\"", "-1", "0", "\"0\"", "99999999999999999999999", "1e3", "\"1\", \"2\"",
                "W/\"1\"", "\"\"", "\u0001")) {
            out.add(probe(Api.COMMAND, "POST", VICTIM + "/enable").header("If-Match", ifMatch)
                    .label("If-Match " + Probe.printable(ifMatch)).json("{}").expect(Expect.refused()).build());
        }
        out.add(probe(Api.COMMAND, "POST", VICTIM + "/enable").header("If-Match", "\"1\"").label("If-Match stale \"1\"")
                .json("{}").expect(Expect.exactly(409, "VERSION_CONFLICT")).build());
        out.add(probe(Api.COMMAND, "PUT", VICTIM + "/metadata").header("If-Match", "*").label("If-Match *")
                .json("{\"description\":\"victim\",\"tags\":[\"hostile\"]}").expect(Expect.any()).build());

        String create = "{\"key\":\"hostile.fresh\",\"type\":\"boolean\"}";
        Map<String, Map.Entry<String, Expect>> contentTypes = new LinkedHashMap<>();
        contentTypes.put("text/plain", Map.entry(create, Expect.any()));
        contentTypes.put("application/x-www-form-urlencoded", Map.entry(create, Expect.any()));
        contentTypes.put("application/json; charset=utf-16", Map.entry(create, Expect.any()));
        contentTypes.put(";;;", Map.entry(create, Expect.any()));
        contentTypes.put("application/xml", Map.entry("<flag key=\"hostile.x\" type=\"boolean\"/>", Expect.refused()));
        contentTypes.put("multipart/form-data; boundary=x", Map.entry("--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n"
                + "hostile.x\r\n--x--\r\n", Expect.refused()));
        contentTypes.put("application/json", Map.entry("key=hostile.x&type=boolean", Expect.refused()));
        contentTypes.forEach((type, body) -> out.add(probe(Api.COMMAND, "POST", ENV + "/flags").header("Content-Type", type)
                .label("Content-Type " + type + " with " + (body.getValue().clientError() ? "a non-JSON" : "a JSON") + " body")
                .json(HostileBodies.freshen(body.getKey().getBytes(StandardCharsets.UTF_8))).expect(body.getValue()).build()));
        out.add(probe(Api.EDGE, "POST", OFREP_ONE).header("Content-Type", "text/plain").json(HostileBodies.CONTEXT)
                .label("Content-Type text/plain").expect(Expect.any()).build());

        for (Api api : Api.values()) {
            String path = api == Api.EDGE ? "/api/v1/check/hostile.split?userId=u" : api == Api.COMMAND ? ENV + "/flags" : SPLIT;
            out.add(probe(api, "GET", path).header("X-Pad", "p".repeat(17 * 1024)).label("one 17 KiB header")
                    .expect(Expect.exactly(431)).build());
            Probe.Builder many = probe(api, "GET", path).label("300 headers of 100 bytes");
            for (int i = 0; i < 300; i++) {
                many.header("X-Pad-" + i, "p".repeat(90));
            }
            out.add(many.expect(Expect.exactly(431)).build());
            out.add(probe(api, "GET", path).header("X-" + "n".repeat(17 * 1024), "1").label("17 KiB header name")
                    .expect(Expect.exactly(431)).build());
            out.add(probe(api, "GET", path).header("Cookie", "c=" + "v".repeat(64 * 1024)).label("64 KiB cookie")
                    .expect(Expect.exactly(431)).build());
            Map<String, Expect> lines = new LinkedHashMap<>();
            lines.put("X-Test: a\u0001b", Expect.refused());
            lines.put("X-Test: a\u0000b", Expect.refused());
            lines.put("X-Test: a\u007fb", Expect.refused());
            lines.put("X-Test: a\rb", Expect.refused());
            lines.put("X Test: 1", Expect.refused());
            lines.put("X-Test : 1", Expect.refused());
            lines.put("NoColonHere", Expect.refused());
            lines.put("X-Test: caf\u00e9", Expect.any());
            lines.forEach((line, expect) -> out.add(probe(api, "GET", path).headerLine(line)
                    .label("header line '" + Probe.printable(line) + "'").expect(expect).build()));
            out.add(Probe.to(api, "GET", path).headerLine(" X-Folded: 1").bearer(token)
                    .label("first header line starts with a space").expect(Expect.refused()).build());
            String post = api == Api.EDGE ? OFREP_ONE : api == Api.COMMAND ? ENV + "/flags" : SPLIT + "/evaluate";
            byte[] body = "{\"context\":{}}".getBytes(StandardCharsets.UTF_8);
            out.add(probe(api, "POST", post).rawFraming().header("Content-Type", "application/json")
                    .header("Content-Length", "14").header("Transfer-Encoding", "chunked").body("e\r\n{\"context\":{}}\r\n0\r\n\r\n"
                            .getBytes(StandardCharsets.UTF_8)).label("Content-Length and Transfer-Encoding").expect(Expect.refused()).build());
            out.add(probe(api, "POST", post).rawFraming().header("Content-Length", "-1").body(body)
                    .label("Content-Length -1").expect(Expect.refused()).build());
            out.add(probe(api, "POST", post).rawFraming().header("Content-Length", "abc").body(body)
                    .label("Content-Length abc").expect(Expect.refused()).build());
            out.add(probe(api, "POST", post).rawFraming().header("Content-Length", "14").header("Content-Length", "15")
                    .body(body).label("two Content-Lengths").expect(Expect.refused()).build());
            out.add(probe(api, "POST", post).rawFraming().header("Transfer-Encoding", "chunked")
                    .body("zz\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8)).label("chunk size 'zz'").expect(Expect.refused())
                    .build());
        }
        return out;
    }

    // ------------------------------------------------------------------ methods and paths

    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND",
            "FOO", "HEAD");

    /** Every route with every method it does not answer: 4xx (OPTIONS and HEAD may answer). */
    List<Probe> wrongMethods() {
        List<Probe> out = new ArrayList<>();
        for (Route route : ROUTES) {
            for (String method : METHODS) {
                if (route.methods().contains(method) || method.equals("HEAD") && route.path().endsWith("events")
                        || method.equals("HEAD") && route.path().endsWith("stream")) {
                    continue;
                }
                boolean lenient = method.equals("OPTIONS") || method.equals("HEAD") && route.methods().contains("GET");
                Probe.Builder probe = probe(route.api(), method, route.path()).label(method + " " + route.path())
                        .expect(lenient ? Expect.any() : Expect.refused());
                if (Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    probe.json("{}");
                }
                out.add(probe.build());
            }
        }
        return out;
    }

    /** A bad path segment: how it is written on the wire, and whether a write aimed at it must be refused. */
    record Segment(String wire, boolean refusesWrites) {
    }

    static List<Segment> segments(String base) {
        List<Segment> out = new ArrayList<>();
        for (String wire : List.of("..", "%2e%2e", "%2E%2E%2F", "..%2F..%2F", "..%2f" + base, "%2e", ".", "%00", base + "%00",
                base + "%00.json", "%2F", base + "%2F", base + "%2Fx", "%5c..%5c" + base, "%252e%252e", "%ff", "%c0%af", base + "%c0%af",
                "%e2%80%ae" + base, Probe.utf8OnWire(base + "\u00fc"), base + "%C3%BC", Probe.utf8OnWire("\uD83D\uDEA9"),
                "%F0%9F%9A%A9", Probe.utf8OnWire("\uFF50\uFF52\uFF4F\uFF44"), base + "%3Bx=1", "x".repeat(300), "%20", base + "%20",
                base.toUpperCase(Locale.ROOT), "*", "~", "%", "%zz", "%%", base + "%0d%0aX-Injected:%20yes",
                "{env}", "%7Benv%7D", Probe.utf8OnWire("\u0130"), base + "\u00a0")) {
            out.add(new Segment(wire, true));
        }
        out.add(new Segment(base + ";x=1", false));
        out.add(new Segment(base + "/", false));
        return out;
    }

    /** Hostile path segments where the environment or the key goes; the whole space is sampled. */
    List<Probe> pathTricks(Random random, int count) {
        List<Probe> all = new ArrayList<>();
        for (Segment env : segments("nowhere")) {
            all.add(probe(Api.COMMAND, "POST", "/api/v1/environments/" + env.wire() + "/flags").label("create in env "
                    + Probe.printable(env.wire())).json(HostileBodies.freshen("{\"key\":\"hostile.fresh\",\"type\":\"boolean\"}"
                    .getBytes(StandardCharsets.UTF_8))).expect(env.refusesWrites() ? Expect.refused() : Expect.any()).build());
        }
        for (Segment key : segments("hostile.nothere")) {
            all.add(probe(Api.COMMAND, "POST", ENV + "/flags/" + key.wire() + "/kill").label("kill key "
                    + Probe.printable(key.wire())).json("{}").expect(Expect.refused()).build());
        }
        for (Segment env : segments("production")) {
            String e = env.wire();
            all.add(probe(Api.COMMAND, "GET", "/api/v1/environments/" + e + "/flags").label("command env " + e).build());
            all.add(probe(Api.PROJECTION, "GET", "/api/v1/environments/" + e + "/flags/hostile.split").label("projection env "
                    + e).build());
            all.add(probe(Api.PROJECTION, "GET", "/api/v1/environments/" + e + "/export").label("export env " + e).build());
        }
        for (Segment key : segments("hostile.split")) {
            String k = key.wire();
            all.add(probe(Api.COMMAND, "GET", ENV + "/flags/" + k).label("command key " + k).build());
            all.add(probe(Api.PROJECTION, "GET", ENV + "/flags/" + k + "/history").label("history key " + k).build());
            all.add(probe(Api.PROJECTION, "POST", ENV + "/flags/" + k + "/evaluate").label("evaluate key " + k)
                    .json(HostileBodies.CONTEXT).build());
            all.add(probe(Api.EDGE, "POST", "/ofrep/v1/evaluate/flags/" + k).label("ofrep key " + k)
                    .json(HostileBodies.CONTEXT).build());
            all.add(probe(Api.EDGE, "GET", "/api/v1/check/" + k + "?userId=u").label("check key " + k).build());
        }
        Collections.shuffle(all, random);
        List<Probe> out = new ArrayList<>(all.subList(0, Math.min(count, all.size())));
        for (Api api : Api.values()) {
            String prefix = api == Api.EDGE ? "/ofrep/v1/evaluate/flags/" : ENV + "/flags/";
            String method = api == Api.EDGE ? "POST" : "GET";
            for (int length : List.of(8 * 1024 + 512, 12 * 1024, 64 * 1024)) {
                out.add(probe(api, method, prefix + "p".repeat(length)).label("path of " + length + " bytes")
                        .expect(Expect.exactly(414)).build());
            }
            for (String path : List.of("//api/v1/status", "/api/v1/../v1/status", "/api/v1/./status", "/API/V1/STATUS", "/api/v1/status%2F",
                    "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/status#frag", "/", "*", "http://evil.example/api/v1/status", "/api/v1/status?",
                    "/api/v1/status?%", "/api/v1/status?a=%zz", "/api/v1/status?=&=&", "/api/v1/%00", "/api/v2/status",
                    "/api/v1/status/" + "x/".repeat(500))) {
                out.add(probe(api, "GET", path).label("path " + path).build());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ queries

    /** A query parameter value and whether it must be refused. */
    record Value(String decoded, boolean refuse) {
    }

    private static List<Value> values(List<String> refused, List<String> accepted) {
        List<Value> out = new ArrayList<>();
        refused.forEach(v -> out.add(new Value(v, true)));
        accepted.forEach(v -> out.add(new Value(v, false)));
        return out;
    }

    private static final List<Value> INSTANTS = values(GARBAGE_INSTANTS, EXTREME_INSTANTS);
    private static final List<Value> LIMITS = values(List.of("0", "-1", "501", "2147483648", "9223372036854775808", "1" + "0".repeat(400),
            "1e400", "abc", "1.5", "0x10", "NaN"), List.of("1", "500", "+5"));
    private static final List<Value> POSITIVE = values(List.of("0", "-1", "abc", "9223372036854775808", "1" + "0".repeat(400), "1e3",
            "1.0"), List.of("1", "9223372036854775807"));
    private static final List<Value> NON_NEGATIVE = values(List.of("-1", "abc", "9223372036854775808", "1e3"),
            List.of("0", "1", "9223372036854775807"));
    private static final List<Value> AUDIT_CURSORS = values(List.of("garbage", "\u00ff\u00fe", "AAAA", "-1", "eyJ4IjoxfQ",
            "'; DROP TABLE flags"), List.of());
    private static final List<Value> TEXTS = values(List.of(), List.of("", "x".repeat(2000), "pr\u00f6duction", "\u0000", "../..",
            "' OR 1=1", "*", "\uD83D\uDEA9"));
    private static final List<Value> READ_ENVIRONMENTS = values(List.of(), List.of("production", "prodution", "PRODUCTION", "",
            "\u0000", "x".repeat(200)));
    private static final List<Value> EDGE_ENVIRONMENTS = values(List.of("prodution", "PRODUCTION", "x".repeat(200), "\u0000",
            "production,staging", "*"), List.of("production", "staging"));
    private static final List<Value> USERS = values(List.of(), List.of("", "u", "x".repeat(5000), "\u00fc\u00df\uD83D\uDEA9",
            "\u0000", "user-1"));

    /** Waits short enough that an accepted one never holds the suite up. */
    private static final List<Value> WAITS = values(List.of("31s", "-1", "abc", "1e3", "1.5s", "+5", "5m", "1" + "0".repeat(400),
            "\u0000", "30001ms"), List.of("0", "1ms", "20ms", ""));
    private static final List<Value> STATUSES = values(List.of("zombie", "STALE", "stale!", "\u0000", "x".repeat(2000)),
            List.of("new", "active", "launched", "inactive", "stale", "potentially_stale", ""));

    private record QueryRoute(Api api, String method, String path, Map<String, List<Value>> params) {
    }

    private static final List<QueryRoute> QUERY_ROUTES = List.of(
            new QueryRoute(Api.PROJECTION, "GET", SPLIT, Map.of("asOf", INSTANTS, "version", POSITIVE)),
            new QueryRoute(Api.PROJECTION, "GET", SPLIT + "/history", Map.of("since", INSTANTS, "until", INSTANTS, "limit", LIMITS,
                    "cursor", POSITIVE)),
            new QueryRoute(Api.PROJECTION, "GET", SPLIT + "/diff", Map.of("from", NON_NEGATIVE, "to", NON_NEGATIVE)),
            new QueryRoute(Api.PROJECTION, "POST", SPLIT + "/evaluate", Map.of("asOf", INSTANTS)),
            new QueryRoute(Api.PROJECTION, "GET", ENV + "/segments/hostile-ref", Map.of("asOf", INSTANTS, "version", POSITIVE)),
            new QueryRoute(Api.PROJECTION, "GET", ENV + "/segments/hostile-ref/history", Map.of("since", INSTANTS, "limit", LIMITS)),
            new QueryRoute(Api.PROJECTION, "GET", "/api/v1/audit", Map.of("actor", TEXTS, "type", TEXTS, "tag", TEXTS,
                    "environment", READ_ENVIRONMENTS, "since", INSTANTS, "until", INSTANTS, "limit", LIMITS, "cursor", AUDIT_CURSORS)),
            new QueryRoute(Api.PROJECTION, "GET", "/api/v1/export", Map.of("asOf", INSTANTS, "environment", READ_ENVIRONMENTS)),
            new QueryRoute(Api.PROJECTION, "GET", ENV + "/export", Map.of("asOf", INSTANTS)),
            new QueryRoute(Api.PROJECTION, "GET", SPLIT + "/propagation", Map.of("version", POSITIVE, "wait", WAITS)),
            new QueryRoute(Api.PROJECTION, "GET", ENV + "/flags", Map.of("status", STATUSES)),
            new QueryRoute(Api.EDGE, "GET", "/api/v1/check/hostile.split", Map.of("userId", USERS, "environment", EDGE_ENVIRONMENTS,
                    "targetingKey", USERS, "tier", TEXTS)),
            new QueryRoute(Api.EDGE, "GET", "/api/v1/features", Map.of("userId", USERS, "environment", EDGE_ENVIRONMENTS,
                    "tier", TEXTS)),
            new QueryRoute(Api.EDGE, "POST", OFREP_ONE, Map.of("environment", EDGE_ENVIRONMENTS)),
            new QueryRoute(Api.EDGE, "POST", OFREP_ALL, Map.of("environment", EDGE_ENVIRONMENTS)));

    /**
     * Seeded query strings: one to three parameters with values from each parameter's pool,
     * sometimes a parameter twice (then any answer but a 5xx will do: which one counts is the
     * server's choice), sometimes a parameter nobody reads. The event streams are probed in a
     * table instead (a valid stream query would hold a stream open).
     */
    List<Probe> queryTricks(Random random, int count) {
        List<Probe> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            QueryRoute route = QUERY_ROUTES.get(random.nextInt(QUERY_ROUTES.size()));
            List<String> names = new ArrayList<>(route.params().keySet());
            Collections.sort(names);
            Collections.shuffle(names, random);
            int n = 1 + random.nextInt(Math.min(3, names.size()));
            StringBuilder query = new StringBuilder();
            boolean refuse = false;
            for (String name : names.subList(0, n)) {
                List<Value> pool = route.params().get(name);
                Value value = pool.get(random.nextInt(pool.size()));
                boolean repeated = random.nextInt(8) == 0;
                query.append(query.length() == 0 ? "?" : "&").append(name).append('=').append(encode(value.decoded()));
                if (repeated) {
                    Value second = pool.get(random.nextInt(pool.size()));
                    query.append('&').append(name).append('=').append(encode(second.decoded()));
                } else {
                    refuse |= value.refuse();
                }
            }
            if (random.nextInt(10) == 0) {
                query.append("&limitt=5");
            }
            Probe.Builder probe = probe(route.api(), route.method(), route.path() + query)
                    .label(route.method() + " " + route.path() + Probe.abbreviate(query.toString(), 100))
                    .expect(refuse ? Expect.refused() : Expect.any());
            if (route.method().equals("POST")) {
                probe.json(HostileBodies.CONTEXT);
            }
            out.add(probe.build());
        }
        for (String since : GARBAGE_INSTANTS) {
            out.add(probe(Api.PROJECTION, "GET", "/api/v1/events/stream?environment=production&since=" + encode(since))
                    .header("Accept", "text/event-stream").label("stream since " + Probe.printable(since)).expect(Expect.refused()).build());
        }
        for (Value environment : EDGE_ENVIRONMENTS) {
            if (environment.refuse()) {
                out.add(probe(Api.EDGE, "GET", "/ofrep/v1/events?environment=" + encode(environment.decoded()))
                        .header("Accept", "text/event-stream").label("edge stream environment "
                                + Probe.abbreviate(Probe.printable(environment.decoded()), 30)).expect(Expect.refused()).build());
            }
        }
        for (String lastEventId : List.of("garbage", "-1", "99999999999999999999999", "\u00ff")) {
            out.add(probe(Api.PROJECTION, "GET", "/api/v1/events/stream?environment=production")
                    .header("Accept", "text/event-stream").header("Last-Event-ID", lastEventId)
                    .label("stream Last-Event-ID " + Probe.printable(lastEventId)).expect(Expect.any()).build());
        }
        return out;
    }
}
