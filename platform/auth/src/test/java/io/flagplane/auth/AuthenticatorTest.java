package io.flagplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.ActorKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

    private final String token = TokenRegistry.newToken();
    private final Authenticator authenticator = Authenticator.of(TokenRegistry.of(Map.of(TokenRegistry.sha256(token),
            new Principal("ci-bot", ActorKind.SERVICE_TOKEN, Map.of("staging", Role.EDITOR, "production", Role.VIEWER)))));

    @Test
    void a_bearer_token_or_an_api_key_names_its_principal() {
        assertThat(authenticator.authenticate("Bearer " + token, null).id()).isEqualTo("ci-bot");
        assertThat(authenticator.authenticate("bearer  " + token + " ", null).id()).as("scheme case and spaces").isEqualTo("ci-bot");
        assertThat(authenticator.authenticate(null, token).id()).isEqualTo("ci-bot");
    }

    @Test
    void a_missing_or_unknown_token_is_unauthenticated_with_a_challenge() {
        assertThatThrownBy(() -> authenticator.authenticate(null, null)).isInstanceOf(Authenticator.Unauthenticated.class)
                .hasMessageContaining("Authorization: Bearer").extracting(e -> ((Authenticator.Unauthenticated) e).challenge())
                .isEqualTo("Bearer");
        assertThatThrownBy(() -> authenticator.authenticate("Basic abc", null)).isInstanceOf(Authenticator.Unauthenticated.class);
        assertThatThrownBy(() -> authenticator.authenticate("Bearer fpt_nope", null))
                .isInstanceOf(Authenticator.Unauthenticated.class).hasMessage("the API token is not valid");
    }

    @Test
    void a_token_with_its_case_flipped_is_not_the_token_even_after_the_real_one_was_remembered() {
        authenticator.authenticate("Bearer " + token, null);
        String flipped = new StringBuilder().append(token.chars().mapToObj(c -> String.valueOf((char) (Character.isUpperCase(c)
                ? Character.toLowerCase(c) : Character.toUpperCase(c)))).reduce("", String::concat)).toString();
        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + flipped, null))
                .isInstanceOf(Authenticator.Unauthenticated.class);
    }

    @Test
    void roles_are_checked_per_environment_with_a_sentence_naming_both() {
        Principal ci = authenticator.authenticate("Bearer " + token, null);
        Authenticator.require(ci, Role.EDITOR, "staging");
        assertThatThrownBy(() -> Authenticator.require(ci, Role.EDITOR, "production")).isInstanceOf(Authenticator.Forbidden.class)
                .hasMessage("token 'ci-bot' is viewer in environment 'production'; this needs editor");
        assertThatThrownBy(() -> Authenticator.require(ci, Role.VIEWER, "qa")).hasMessageContaining("not granted anything");
    }

    @Test
    void an_open_authenticator_makes_everyone_an_anonymous_admin() {
        Principal anyone = Authenticator.open().authenticate(null, null);
        assertThat(anyone.may(Role.ADMIN, "production")).isTrue();
    }
}
