package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bearer tokens, stored as hashes, with roles per environment. */
@ExtendWith(SharedTestStack.class)
class AuthIT {

    private static final String PROD = "/api/v1/environments/production/flags";
    private static final String STAGING = "/api/v1/environments/staging/flags";
    private CommandServiceFixture fixture;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "auth");
        fixture.admin().post(PROD, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
        fixture.admin().post(STAGING, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void no_token_or_a_wrong_token_is_401_and_writes_nothing() {
        Api.Response none = fixture.api(null).post(PROD + "/a.flag/kill", "");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(none.headers().get("www-authenticate")).startsWith("Bearer");

        Api.Response wrong = fixture.api("fpt_not-a-real-token").post(PROD + "/a.flag/kill", "");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(fixture.api(null).get(PROD).status()).isEqualTo(401);
        assertThat(fixture.admin().get(PROD + "/a.flag").body().get("killed").asBoolean()).isFalse();
    }

    @Test
    void roles_are_granted_per_environment() {
        Api editor = fixture.api(fixture.tokens.editor());
        assertThat(editor.post(PROD + "/a.flag/enable", "").status()).isEqualTo(200);
        Api.Response stagingWrite = editor.post(STAGING + "/a.flag/enable", "");
        assertThat(stagingWrite.status()).isEqualTo(403);
        assertThat(stagingWrite.errorCode()).isEqualTo("FORBIDDEN");
        assertThat(stagingWrite.body().get("error").get("message").asText()).contains("viewer").contains("editor");
        assertThat(editor.get(STAGING + "/a.flag").status()).isEqualTo(200);
        assertThat(editor.get("/api/v1/environments/qa/flags").status()).isEqualTo(403);

        Api viewer = fixture.api(fixture.tokens.viewer());
        assertThat(viewer.get(PROD).status()).isEqualTo(200);
        assertThat(viewer.post(PROD + "/a.flag/kill", "").status()).isEqualTo(403);
    }

    @Test
    void a_change_set_needs_the_role_in_every_environment_it_touches() {
        Api.Response mixed = fixture.api(fixture.tokens.editor()).post("/api/v1/changesets", """
                {"commands":[{"action":"kill","environment":"production","flag":"a.flag"},
                             {"action":"kill","environment":"staging","flag":"a.flag"}]}""");

        assertThat(mixed.status()).isEqualTo(403);
        assertThat(fixture.admin().get(PROD + "/a.flag").body().get("killed").asBoolean()).isFalse();
    }

    @Test
    void only_admins_list_tokens_and_never_see_hashes_or_tokens() {
        Api.Response list = fixture.admin().get("/api/v1/tokens");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().get("tokens")).hasSize(5); // every principal TestTokens writes
        assertThat(list.raw()).doesNotContain(fixture.tokens.admin()).doesNotContain("sha256");
        assertThat(fixture.api(fixture.tokens.editor()).get("/api/v1/tokens").status()).isEqualTo(403);
    }

    @Test
    void whoami_names_the_principal_and_its_grants_never_the_token() {
        Api.Response me = fixture.api(fixture.tokens.editor()).get("/api/v1/whoami");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body().get("id").asText()).isEqualTo("bob@example.com");
        assertThat(me.body().get("kind").asText()).isEqualTo("USER");
        assertThat(me.body().get("grants").get("production").asText()).isEqualTo("editor");
        assertThat(me.body().get("grants").get("staging").asText()).isEqualTo("viewer");
        assertThat(me.raw()).doesNotContain(fixture.tokens.editor());
        assertThat(fixture.api(fixture.tokens.ci()).get("/api/v1/whoami").body().get("kind").asText()).isEqualTo("SERVICE_TOKEN");
        assertThat(fixture.api(null).get("/api/v1/whoami").status()).isEqualTo(401);
    }

    @Test
    void the_tokens_file_holds_only_hashes() throws Exception {
        String file = java.nio.file.Files.readString(fixture.tokens.file());
        assertThat(file).doesNotContain(fixture.tokens.admin()).doesNotContain(fixture.tokens.editor()).contains("sha256");
    }

    @Test
    void the_openapi_document_and_health_need_no_token() {
        assertThat(fixture.api(null).get("/api/v1/openapi.yaml").status()).isEqualTo(200);
        assertThat(fixture.api(null).get("/health/ready").status()).isEqualTo(200);
    }
}
