package io.flagplane.contract.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagState;
import io.flagplane.fixtures.States;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateJsonTest {

    @Test
    void metadata_is_an_object_of_its_typed_values_sorted_by_key_and_a_missing_off_variant_is_null() {
        FlagState state = States.booleanState("production", "a.flag", 2);
        state.getDefinition().setMetadata(Map.of("ticket", "JIRA-1", "count", 2L, "ratio", 0.5, "beta", true));
        state.getDefinition().setOffVariant(null);

        ObjectNode json = StateJson.flag(state);

        assertThat(json.get("metadata").toString()).isEqualTo("{\"beta\":true,\"count\":2,\"ratio\":0.5,\"ticket\":\"JIRA-1\"}");
        assertThat(json.get("offVariant").isNull()).isTrue();
        assertThat(StateJson.flag(States.booleanState("production", "b.flag", 1)).get("metadata").isEmpty()).isTrue();
    }
}
