package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A flag without an off variant serves the caller's default where an off variant would be served. */
class CodeDefaultTest {

    private static Flag.Builder stringFlag(String key) {
        return Flag.builder(key, FlagType.STRING).variant("greeting", "hi").variant("parting", "bye")
                .fallthrough("greeting").enabled(true).version(4);
    }

    @Test
    void disabled_without_an_off_variant_serves_the_callers_default_with_reason_disabled_and_no_error() {
        FlagView view = Fixtures.view(stringFlag("s").enabled(false).build());

        Evaluation<String> result = Evaluator.evaluate(view, "s", FlagType.STRING, "code", user("u"));

        assertThat(result.value()).isEqualTo("code");
        assertThat(result.reason()).isEqualTo(Reason.DISABLED);
        assertThat(result.variant()).isNull();
        assertThat(result.isError()).isFalse();
        assertThat(result.isCodeDefault()).isTrue();
        assertThat(result.flagVersion()).isEqualTo(4);
    }

    @Test
    void killed_and_deny_listed_without_an_off_variant_serve_the_callers_default() {
        FlagView view = Fixtures.view(stringFlag("killed").killed(true).build(),
                stringFlag("denying").deny(List.of("u-1")).build());

        assertThat(Evaluator.evaluate(view, "killed", FlagType.STRING, "code", user("u")).value()).isEqualTo("code");
        Evaluation<String> denied = Evaluator.evaluate(view, "denying", FlagType.STRING, "code", user("u-1"));
        assertThat(denied.value()).isEqualTo("code");
        assertThat(denied.reason()).isEqualTo(Reason.DISABLED);
        assertThat(Evaluator.evaluate(view, "denying", FlagType.STRING, "code", user("u-2")).value()).isEqualTo("hi");
    }

    @Test
    void a_flag_with_an_off_variant_still_serves_it() {
        FlagView view = Fixtures.view(booleanFlag("b").enabled(false).build());

        Evaluation<Boolean> result = Evaluator.evaluate(view, "b", FlagType.BOOLEAN, Boolean.TRUE, user("u"));

        assertThat(result.value()).isFalse();
        assertThat(result.variant()).isEqualTo("off");
        assertThat(result.isCodeDefault()).isFalse();
    }

    @Test
    void the_code_default_is_never_enabled_and_a_typeless_caller_gets_null() {
        Flag flag = booleanFlag("b").offVariant(null).enabled(false).build();
        FlagView view = Fixtures.view(flag);

        Evaluation<Object> any = Evaluator.evaluate(view, "b", null, null, user("u"));

        assertThat(any.value()).isNull();
        assertThat(any.isCodeDefault()).isTrue();
        assertThat(Enabled.evaluate(view, "b", user("u"))).isFalse();
        assertThat(flag.offVariantKey()).isNull();
    }

    @Test
    void metadata_travels_with_every_result_of_the_flag() {
        Flag flag = stringFlag("m").metadata("ticket", "JIRA-1").metadata("count", 2).metadata("ratio", 0.5)
                .metadata("beta", true).build();
        FlagView view = Fixtures.view(flag);

        Evaluation<String> result = Evaluator.evaluate(view, "m", FlagType.STRING, "x", user("u"));

        assertThat(result.flagMetadata()).isEqualTo(Map.of("ticket", "JIRA-1", "count", 2L, "ratio", 0.5, "beta", true));
        assertThat(Evaluator.evaluate(view, "nope", FlagType.STRING, "x", user("u")).flagMetadata()).isEmpty();
    }
}
