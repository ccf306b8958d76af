package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeRequestApplied;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.contract.ChangeRequestStateFold;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Four eyes on a real broker, through the HTTP API: people (a personal token and a JWT from the
 * organisation's identity provider) and a service token; a protected environment; requests opened,
 * approved, edited, rejected, applied and scheduled; every step on the log with its actor.
 */
@ExtendWith(SharedTestStack.class)
class ChangeRequestIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private static final String REQUESTS = ENV + "/change-requests";

    private CommandServiceFixture fixture;
    private Api alice;   // admin, personal token: authors requests
    private Api erin;    // admin, personal token: approves
    private Api frank;   // admin, signed in with a JWT from the identity provider
    private Api bob;     // production editor
    private Api ci;      // service token, editor everywhere

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new CommandServiceFixture(stack, "cr");
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate();
        Path dir = Files.createTempDirectory(Path.of("target"), "idp");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        String aliceToken = TokenRegistry.newToken();
        String erinToken = TokenRegistry.newToken();
        String bobToken = TokenRegistry.newToken();
        String ciToken = TokenRegistry.newToken();
        Path tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "{\"tokens\": ["
                + TokenRegistry.entry("alice@example.com", ActorKind.USER, Map.of("*", Role.ADMIN), aliceToken) + ","
                + TokenRegistry.entry("erin@example.com", ActorKind.USER, Map.of("*", Role.ADMIN), erinToken) + ","
                + TokenRegistry.entry("bob@example.com", ActorKind.USER, Map.of("production", Role.EDITOR), bobToken) + ","
                + TokenRegistry.entry("ci-pipeline", ActorKind.SERVICE_TOKEN, Map.of("*", Role.ADMIN), ciToken) + "],"
                + " \"identityProvider\": {\"issuer\": \"https://idp.example.com/\", \"audience\": \"flagplane\","
                + " \"jwksFile\": \"jwks.json\", \"groups\": {\"release-managers\": {\"production\": \"admin\"}}}}");
        fixture.service.close();
        fixture.service = CommandService.start(CommandServiceConfig.from(fixture.settings(Map.of("command.tokens.file", tokens.toString()))));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("idp-1").build(), new JWTClaimsSet.Builder()
                .issuer("https://idp.example.com/").audience("flagplane").subject("frank@example.com")
                .expirationTime(Date.from(Instant.now().plusSeconds(3600))).claim("groups", List.of("release-managers")).build());
        jwt.sign(new ECDSASigner(key));
        alice = fixture.api(aliceToken);
        erin = fixture.api(erinToken);
        frank = fixture.api(jwt.serialize());
        bob = fixture.api(bobToken);
        ci = fixture.api(ciToken);
        assertThat(alice.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"tags\":[\"checkout\"]}").status()).isEqualTo(201);
        assertThat(alice.post(FLAGS, "{\"key\":\"search.ranking\",\"type\":\"boolean\",\"tags\":[\"search\"]}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void protect(String policy) {
        Api.Response set = alice.put(ENV + "/approval-policy", policy);
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
    }

    private String open(Api as, String commands) {
        Api.Response opened = as.post(REQUESTS, "{\"title\": \"Roll out the new checkout\", \"reason\": \"seed 000 step 2\","
                + " \"submit\": true, \"commands\": " + commands + "}");
        assertThat(opened.status()).as(opened.raw()).isEqualTo(201);
        return opened.body().get("changeRequest").get("id").asText();
    }

    @Test
    void a_protected_flag_refuses_a_direct_change_but_never_a_kill() {
        protect("{\"requiredApprovals\": 1, \"approverRole\": \"admin\", \"tags\": [\"checkout\"]}");

        Api.Response direct = bob.post(FLAGS + "/checkout.new_ui/enable", "");
        assertThat(direct.status()).isEqualTo(403);
        assertThat(direct.errorCode()).isEqualTo("CHANGE_REQUEST_REQUIRED");
        assertThat(direct.body().get("error").get("message").asText()).contains("change-requests");
        assertThat(bob.post(FLAGS + "/checkout.new_ui/revive", "").errorCode()).as("revive is a risky change").isEqualTo("CHANGE_REQUEST_REQUIRED");
        assertThat(bob.post(FLAGS + "/search.ranking/enable", "").status()).as("another tag is not protected").isEqualTo(200);
        assertThat(bob.post(FLAGS + "/checkout.new_ui/kill", "{\"reason\": \"error rate above 5%\"}").status()).isEqualTo(200);
        assertThat(bob.post(ENV + "/kill-by-tag", "{\"tag\": \"checkout\"}").status()).isIn(200, 404);
        assertThat(bob.put(FLAGS + "/checkout.new_ui/metadata", "{\"tags\": []}").errorCode())
                .as("removing the protected tag is a protected change too").isEqualTo("CHANGE_REQUEST_REQUIRED");
    }

    @Test
    void an_admin_may_bypass_when_the_policy_says_so_and_the_event_records_it() {
        protect("{\"requiredApprovals\": 1, \"adminBypass\": true}");

        assertThat(bob.post(FLAGS + "/checkout.new_ui/enable", "").errorCode()).isEqualTo("CHANGE_REQUEST_REQUIRED");
        assertThat(alice.post(FLAGS + "/checkout.new_ui/enable", "").status()).isEqualTo(200);

        FlagEvent enabled = last(fixture.events(3), "checkout.new_ui");
        assertThat(enabled.getPolicyBypassed()).isTrue();
        assertThat(enabled.getActor().getId()).isEqualTo("alice@example.com");
    }

    @Test
    void the_whole_lifecycle_with_two_distinct_approvers_one_of_them_signed_in_with_a_jwt() {
        protect("{\"requiredApprovals\": 2, \"approverRole\": \"admin\"}");
        String id = open(alice, "[{\"action\": \"enable\", \"flag\": \"checkout.new_ui\"},"
                + " {\"action\": \"setRollout\", \"flag\": \"checkout.new_ui\", \"percentage\": 10}]");
        String one = REQUESTS + "/" + id;

        Api.Response inbox = erin.get(REQUESTS + "?state=IN_REVIEW");
        assertThat(inbox.body().get("changeRequests")).extracting(r -> r.get("id").asText()).containsExactly(id);
        assertThat(erin.get(REQUESTS + "?state=finished").errorField()).isEqualTo("state");

        assertThat(alice.post(one + "/approve", "").errorCode()).as("its author").isEqualTo("APPROVAL_NOT_ALLOWED");
        assertThat(ci.post(one + "/approve", "").errorCode()).as("a service token").isEqualTo("APPROVAL_NOT_ALLOWED");
        assertThat(bob.post(one + "/approve", "").errorCode()).as("an editor, below the policy's role").isEqualTo("APPROVAL_NOT_ALLOWED");

        assertThat(erin.post(one + "/approve", "{\"comment\": \"looks right\"}").status()).isEqualTo(200);
        Api.Response twice = erin.post(one + "/approve", "");
        assertThat(twice.body().get("changed").asBoolean()).as("the same person twice counts once").isFalse();
        assertThat(erin.post(one + "/apply", "").errorCode()).as("one approval of two").isEqualTo("INVALID_STATE");

        Api.Response second = frank.post(one + "/approve", "");
        assertThat(second.status()).as(second.raw()).isEqualTo(200);
        assertThat(second.body().get("changeRequest").get("status").asText()).isEqualTo("APPROVED");
        assertThat(second.body().get("changeRequest").get("approvals")).extracting(a -> a.get("approver").asText())
                .containsExactly("erin@example.com", "frank@example.com");

        Api.Response applied = erin.post(one + "/apply", "");
        assertThat(applied.status()).as(applied.raw()).isEqualTo(200);
        JsonNode flag = bob.get(FLAGS + "/checkout.new_ui").body();
        assertThat(flag.get("enabled").asBoolean()).isTrue();
        assertThat(erin.get(one).body().get("status").asText()).isEqualTo("APPLIED");
        assertThat(erin.post(one + "/apply", "").errorCode()).as("applied once").isEqualTo("INVALID_STATE");

        List<FlagEvent> events = fixture.events(8);
        List<String> steps = events.stream().filter(ChangeRequestStateFold::isChangeRequestEvent)
                .map(e -> e.getPayload().getClass().getSimpleName() + " by " + e.getActor().getId()).toList();
        assertThat(steps).containsExactly("ChangeRequestOpened by alice@example.com", "ChangeRequestApproved by erin@example.com",
                "ChangeRequestApproved by frank@example.com", "ChangeRequestApplied by erin@example.com");
        FlagEvent appliedEvent = events.stream().filter(e -> e.getPayload() instanceof ChangeRequestApplied).findFirst().orElseThrow();
        List<FlagEvent> sameTransaction = events.stream().filter(e -> appliedEvent.getChangeSetId().equals(e.getChangeSetId())).toList();
        assertThat(sameTransaction).hasSize(3);
        assertThat(frankEvent(events).getActor().getKind()).isEqualTo(ActorKind.USER);
    }

    private static FlagEvent frankEvent(List<FlagEvent> events) {
        return events.stream().filter(e -> e.getActor().getId().equals("frank@example.com")).findFirst().orElseThrow();
    }

    @Test
    void an_edit_revokes_approvals_and_a_request_drafted_against_a_moved_flag_must_be_rebased() {
        protect("{\"requiredApprovals\": 1, \"tags\": [\"checkout\"]}");
        String id = open(alice, "[{\"action\": \"enable\", \"flag\": \"checkout.new_ui\"}]");
        String one = REQUESTS + "/" + id;
        assertThat(erin.post(one + "/approve", "").body().get("changeRequest").get("status").asText()).isEqualTo("APPROVED");

        Api.Response edited = alice.put(one, "{\"title\": \"Roll out, 5 % first\", \"reason\": \"smaller first step\","
                + " \"commands\": [{\"action\": \"setRollout\", \"flag\": \"checkout.new_ui\", \"percentage\": 5}]}");
        assertThat(edited.status()).as(edited.raw()).isEqualTo(200);
        assertThat(edited.body().get("changeRequest").get("status").asText()).isEqualTo("IN_REVIEW");
        assertThat(edited.body().get("changeRequest").get("approvals")).isEmpty();

        assertThat(erin.post(one + "/approve", "").status()).isEqualTo(200);
        assertThat(bob.post(FLAGS + "/checkout.new_ui/kill", "{\"reason\": \"incident\"}").status()).isEqualTo(200);

        Api.Response conflict = erin.post(one + "/apply", "");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.errorCode()).isEqualTo("REBASE_REQUIRED");
        assertThat(conflict.raw()).contains("checkout.new_ui: drafted at version 1, now at 2");
        assertThat(bob.get(FLAGS + "/checkout.new_ui").body().get("version").asLong()).as("nothing overwritten").isEqualTo(2);
    }

    @Test
    void a_rejected_or_cancelled_request_never_applies_and_comments_are_kept() {
        protect("{\"requiredApprovals\": 1}");
        String rejected = REQUESTS + "/" + open(alice, "[{\"action\": \"enable\", \"flag\": \"search.ranking\"}]");
        assertThat(bob.post(rejected + "/comment", "{\"comment\": \"which dashboard do we watch?\"}").status()).isEqualTo(200);
        assertThat(erin.post(rejected + "/reject", "{\"comment\": \"not during the sale\"}").status()).isEqualTo(200);
        assertThat(erin.post(rejected + "/apply", "").errorCode()).isEqualTo("INVALID_STATE");
        assertThat(alice.get(rejected).body().get("comments")).extracting(c -> c.get("text").asText())
                .containsExactly("which dashboard do we watch?");

        String cancelled = REQUESTS + "/" + open(alice, "[{\"action\": \"enable\", \"flag\": \"search.ranking\"}]");
        assertThat(bob.post(cancelled + "/cancel", "").errorCode()).as("neither its author nor an admin").isEqualTo("APPROVAL_NOT_ALLOWED");
        assertThat(alice.post(cancelled + "/cancel", "").status()).isEqualTo(200);
        assertThat(erin.post(cancelled + "/approve", "").errorCode()).isEqualTo("INVALID_STATE");
        assertThat(alice.get(FLAGS + "/search.ranking").body().get("enabled").asBoolean()).isFalse();
    }

    @Test
    void a_scheduled_request_applies_exactly_once_when_its_time_comes() {
        protect("{\"requiredApprovals\": 1}");
        String one = REQUESTS + "/" + open(alice, "[{\"action\": \"enable\", \"flag\": \"search.ranking\"}]");
        erin.post(one + "/approve", "");
        Api.Response scheduled = erin.post(one + "/schedule", "{\"applyAt\": \"" + Instant.now().plusSeconds(2) + "\"}");
        assertThat(scheduled.status()).as(scheduled.raw()).isEqualTo(200);
        assertThat(scheduled.body().get("changeRequest").get("status").asText()).isEqualTo("SCHEDULED");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alice.get(one).body().get("status").asText().equals("APPLIED"));
        JsonNode flag = alice.get(FLAGS + "/search.ranking").body();
        assertThat(flag.get("enabled").asBoolean()).isTrue();
        Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);   // more scheduler ticks
        List<FlagEvent> events = fixture.events(7);
        assertThat(events.stream().filter(e -> e.getPayload() instanceof ChangeRequestApplied)).hasSize(1)
                .allSatisfy(e -> assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM));
        assertThat(alice.get(FLAGS + "/search.ranking").body().get("version").asLong()).isEqualTo(flag.get("version").asLong());
    }

    @Test
    void bad_requests_name_the_field_and_write_nothing() {
        assertThat(alice.post(REQUESTS, "{\"title\": \"x\", \"reason\": \"y\", \"commands\": []}").errorField()).isEqualTo("commands");
        assertThat(alice.post(REQUESTS, "{\"reason\": \"y\", \"commands\": [{\"action\": \"kill\", \"flag\": \"a.b\"}]}")
                .errorField()).isEqualTo("title");
        assertThat(alice.post(REQUESTS, "{\"title\": \"x\", \"reason\": \"y\", \"commands\": [{\"action\": \"kill\", \"flag\": \"a.b\","
                + " \"environment\": \"staging\"}]}").errorField()).isEqualTo("commands[0].environment");
        assertThat(alice.put(ENV + "/approval-policy", "{\"requiredApprovals\": 0}").errorField()).isEqualTo("requiredApprovals");
        assertThat(alice.put(ENV + "/approval-policy", "{\"approverRole\": \"owner\"}").errorField()).isEqualTo("approverRole");
        assertThat(bob.put(ENV + "/approval-policy", "{\"requiredApprovals\": 1}").status()).as("admins only").isEqualTo(403);
        assertThat(alice.get(REQUESTS + "/cr-nope").errorCode()).isEqualTo("CHANGE_REQUEST_NOT_FOUND");
        assertThat(alice.post(REQUESTS + "/cr-nope/approve", "").status()).isEqualTo(404);
        assertThat(fixture.events(2)).hasSize(2);
    }

    private static FlagEvent last(List<FlagEvent> events, String key) {
        FlagEvent found = null;
        for (FlagEvent e : events) {
            if (e.getFlagKey().equals(key) && !(e.getPayload() instanceof FlagKilled)) {
                found = e;
            }
        }
        return found;
    }
}
