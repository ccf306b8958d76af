package io.flagplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.registry.SchemaRegistryException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaRegistryStateTest {

    static final String V1 = """
            {"type":"record","name":"Thing","fields":[{"name":"a","type":"string"}]}""";
    static final String V2_WITH_DEFAULT = """
            {"type":"record","name":"Thing","fields":[{"name":"a","type":"string"},
             {"name":"b","type":"int","default":0}]}""";
    static final String V2_WITHOUT_DEFAULT = """
            {"type":"record","name":"Thing","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""";
    static final String OTHER = """
            {"type":"record","name":"Other","fields":[{"name":"x","type":"long"}]}""";

    private final SchemaRegistryState state = new SchemaRegistryState();

    private RegisteredSchema register(String subject, String schema) {
        var registration = state.prepareRegistration(subject, schema);
        if (registration instanceof SchemaRegistryState.Created created) {
            state.apply(created.record());
        }
        return registration.schema();
    }

    @Test
    void first_registration_gets_id_1_and_version_1() {
        RegisteredSchema registered = register("t-value", V1);

        assertThat(registered.id()).isEqualTo(1);
        assertThat(registered.version()).isEqualTo(1);
        assertThat(state.subjects()).containsExactly("t-value");
    }

    @Test
    void registering_the_same_schema_again_changes_nothing_even_with_other_whitespace() {
        register("t-value", V1);
        var again = state.prepareRegistration("t-value", V1.replace(":", " : "));

        assertThat(again).isInstanceOf(SchemaRegistryState.Existing.class);
        assertThat(again.schema().id()).isEqualTo(1);
        assertThat(state.versions("t-value")).containsExactly(1);
    }

    @Test
    void the_same_schema_under_another_subject_keeps_its_id_with_its_own_version() {
        register("a-value", V1);
        register("a-value", V2_WITH_DEFAULT);
        RegisteredSchema underB = register("b-value", V2_WITH_DEFAULT);

        assertThat(underB.id()).isEqualTo(2);
        assertThat(underB.version()).isEqualTo(1);
    }

    @Test
    void a_backward_compatible_change_becomes_the_next_version() {
        register("t-value", V1);
        RegisteredSchema v2 = register("t-value", V2_WITH_DEFAULT);

        assertThat(v2.version()).isEqualTo(2);
        assertThat(state.version("t-value", "latest").id()).isEqualTo(v2.id());
        assertThat(state.version("t-value", "-1")).isEqualTo(state.version("t-value", "2"));
    }

    @Test
    void an_incompatible_change_is_refused_with_409_and_says_why() {
        register("t-value", V1);

        assertThatThrownBy(() -> register("t-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.INCOMPATIBLE);
                    assertThat(e.errorCode()).isEqualTo(409);
                })
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT").hasMessageContaining("b");
        assertThat(state.versions("t-value")).containsExactly(1);
    }

    @Test
    void level_none_accepts_anything() {
        register("t-value", V1);
        state.apply(new RegistryRecord.CompatibilitySet("t-value", CompatibilityLevel.NONE));

        assertThat(register("t-value", OTHER).version()).isEqualTo(2);
        assertThat(state.effectiveLevel("t-value")).isEqualTo(CompatibilityLevel.NONE);
        assertThat(state.effectiveLevel("u-value")).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{\"type\":\"record\"}", "{\"type\":\"nosuchtype\"}"})
    void an_invalid_schema_is_refused_with_42201(String text) {
        assertThatThrownBy(() -> state.prepareRegistration("t-value", text))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.ErrorCodes.INVALID_SCHEMA));
    }

    @Test
    void unknown_subject_version_and_id_are_40401_40402_40403() {
        register("t-value", V1);

        assertThatThrownBy(() -> state.versions("nope")).extracting("errorCode").isEqualTo(40401);
        assertThatThrownBy(() -> state.version("t-value", "7")).extracting("errorCode").isEqualTo(40402);
        assertThatThrownBy(() -> state.schema(99)).extracting("errorCode").isEqualTo(40403);
        assertThatThrownBy(() -> state.lookup("t-value", OTHER)).extracting("errorCode").isEqualTo(40403);
        assertThatThrownBy(() -> state.lookup("nope", V1)).extracting("errorCode").isEqualTo(40401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "one", "1.5"})
    void a_malformed_version_is_42202(String version) {
        register("t-value", V1);

        assertThatThrownBy(() -> state.version("t-value", version)).extracting("errorCode").isEqualTo(42202);
    }

    @Test
    void compatibility_can_be_checked_without_registering() {
        register("t-value", V1);

        assertThat(state.compatibilityViolations("t-value", V2_WITH_DEFAULT, "latest")).isEmpty();
        assertThat(state.compatibilityViolations("t-value", V2_WITHOUT_DEFAULT, "latest")).isNotEmpty();
        assertThat(state.versions("t-value")).containsExactly(1);
    }

    @Test
    void replaying_the_records_rebuilds_the_same_state() {
        java.util.List<RegistryRecord> log = new java.util.ArrayList<>();
        for (String schema : new String[] {V1, V2_WITH_DEFAULT}) {
            var registration = state.prepareRegistration("t-value", schema);
            var record = ((SchemaRegistryState.Created) registration).record();
            log.add(record);
            state.apply(record);
        }
        log.add(new RegistryRecord.CompatibilitySet(null, CompatibilityLevel.FULL));
        state.apply(log.get(2));

        SchemaRegistryState replayed = new SchemaRegistryState();
        log.forEach(replayed::apply);

        assertThat(replayed.versions("t-value")).isEqualTo(state.versions("t-value"));
        assertThat(replayed.version("t-value", "2")).isEqualTo(state.version("t-value", "2"));
        assertThat(replayed.globalLevel()).isEqualTo(CompatibilityLevel.FULL);
        assertThat(replayed.maxId()).isEqualTo(2);
    }
}
