package io.flagplane.projection.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StateDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void a_rollout_from_10_to_50_percent_is_two_weights_changing() throws Exception {
        JsonNode before = json("{'fallthrough':{'split':[{'variant':'on','weight':10.00},{'variant':'off','weight':90.00}]},'version':3}");
        JsonNode after = json("{'fallthrough':{'split':[{'variant':'on','weight':50.00},{'variant':'off','weight':50.00}]},'version':4}");

        JsonNode diff = StateDiff.diff(before, after);

        assertThat(diff).hasSize(2);
        assertThat(diff.get(0).get("field").asText()).isEqualTo("fallthrough.split[on].weight");
        assertThat(diff.get(0).get("before").asDouble()).isEqualTo(10.0);
        assertThat(diff.get(0).get("after").asDouble()).isEqualTo(50.0);
        assertThat(diff.get(1).get("field").asText()).isEqualTo("fallthrough.split[off].weight");
    }

    @Test
    void a_diff_asked_backwards_to_before_creation_says_the_whole_thing_went_away() throws Exception {
        JsonNode diff = StateDiff.diff(json("{'killed':false,'version':1}"), null);

        assertThat(diff).hasSize(1);
        assertThat(diff.get(0).get("field").asText()).isEmpty();
        assertThat(diff.get(0).get("before").get("killed").asBoolean()).isFalse();
        assertThat(diff.get(0).get("after").isNull()).isTrue();
        assertThat(StateDiff.diff(null, null)).as("nothing to nothing").isEmpty();
    }

    @Test
    void prerequisites_are_compared_by_flag_key_so_an_audit_says_which_was_added_removed_or_changed() throws Exception {
        JsonNode before = json("{'prerequisites':[{'flagKey':'charges.engine','variants':['on']},"
                + "{'flagKey':'referrer.fuzzy','variants':['on']}]}");
        JsonNode after = json("{'prerequisites':[{'flagKey':'charges.engine','variants':['on','beta']},"
                + "{'flagKey':'auto_compute.charges','variants':['on']}]}");

        JsonNode diff = StateDiff.diff(before, after);

        assertThat(diff).extracting(d -> d.get("field").asText()).containsExactly("prerequisites[charges.engine].variants",
                "prerequisites[referrer.fuzzy]", "prerequisites[auto_compute.charges]");
        assertThat(diff.get(0).get("added")).extracting(JsonNode::asText).containsExactly("beta");
        assertThat(diff.get(1).get("after").isNull()).isTrue();
        assertThat(diff.get(2).get("before").isNull()).isTrue();
        assertThat(StateDiff.diff(json("{'prerequisites':[]}"), json("{'prerequisites':[{'flagKey':'charges.engine',"
                + "'variants':['on']}]}")).get(0).get("field").asText()).isEqualTo("prerequisites[charges.engine]");
    }

    @Test
    void plain_lists_say_what_was_added_and_removed() throws Exception {
        JsonNode diff = StateDiff.diff(json("{'denyList':['a','b']}"), json("{'denyList':['b','c','d']}"));

        assertThat(diff).hasSize(1);
        assertThat(diff.get(0).get("field").asText()).isEqualTo("denyList");
        assertThat(diff.get(0).get("added")).extracting(JsonNode::asText).containsExactly("c", "d");
        assertThat(diff.get(0).get("removed")).extracting(JsonNode::asText).containsExactly("a");
    }

    @Test
    void rules_are_compared_by_id_and_a_new_order_is_reported() throws Exception {
        JsonNode before = json("{'rules':[{'id':'beta','serve':{'variant':'on'}},{'id':'tiers','serve':{'variant':'on'}}]}");
        JsonNode after = json("{'rules':[{'id':'tiers','serve':{'variant':'off'}},{'id':'beta','serve':{'variant':'on'}},"
                + "{'id':'new','serve':{'variant':'on'}}]}");

        JsonNode diff = StateDiff.diff(before, after);

        assertThat(diff).extracting(d -> d.get("field").asText())
                .containsExactly("rules[tiers].serve.variant", "rules[new]", "rules (order)");
        assertThat(diff.get(1).get("before").isNull()).isTrue();
        assertThat(diff.get(2).get("after")).extracting(JsonNode::asText).containsExactly("tiers", "beta", "new");
    }

    @Test
    void bookkeeping_is_left_out_and_creation_is_one_entry() throws Exception {
        JsonNode state = json("{'enabled':true,'version':1,'lastChange':{'type':'FlagCreated'},'createdAt':'x'}");

        assertThat(StateDiff.diff(state, json("{'enabled':true,'version':2,'lastChange':{'type':'X'},'createdAt':'x'}"))).isEmpty();
        JsonNode created = StateDiff.diff(null, state);
        assertThat(created).hasSize(1);
        assertThat(created.get(0).get("before").isNull()).isTrue();
        assertThat(created.get(0).get("after").has("version")).isFalse();
        assertThat(created.get(0).get("after").get("enabled").asBoolean()).isTrue();
    }

    @Test
    void a_switch_is_one_field() throws Exception {
        JsonNode diff = StateDiff.diff(json("{'killed':false,'enabled':true}"), json("{'killed':true,'enabled':true}"));
        assertThat(diff).hasSize(1);
        assertThat(diff.get(0).get("field").asText()).isEqualTo("killed");
    }
}
