package io.flagplane.openfeature.gherkin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.FlagEvaluationDetails;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import java.util.Map;

/** hooks.feature: a hook on the client, which stages ran, and what after and finally saw. */
public class HookSteps {

    @Given("a client with added hook")
    public void a_client_with_a_hook() {
        World.hook = new RecordingHook();
        World.client.addHooks(World.hook);
    }

    @Then("the {string} hook should have been executed")
    public void hook_executed(String stage) {
        World.check(() -> assertThat(World.hook.called(stage)).as("%s hook called", stage).isTrue());
    }

    @Then("the {string} hooks should be called with evaluation details")
    public void hooks_called_with(String stages, DataTable table) {
        for (String stage : stages.split(", ")) {
            hook_executed(stage);
            FlagEvaluationDetails<?> details = World.hook.details.get(stage);
            World.check(() -> assertThat(details).as("details seen by %s", stage).isNotNull());
            if (details == null) {
                continue;
            }
            for (Map<String, String> row : table.asMaps()) {
                Object expected = Values.convert(row.get("value"), row.get("data_type"));
                Object actual = switch (row.get("key")) {
                    case "flag_key" -> details.getFlagKey();
                    case "value" -> details.getValue();
                    case "variant" -> details.getVariant();
                    case "reason" -> details.getReason();
                    case "error_code" -> details.getErrorCode() == null ? null : details.getErrorCode().name();
                    default -> throw new IllegalArgumentException("unknown key " + row.get("key"));
                };
                World.check(() -> assertThat(actual).as("%s in %s", row.get("key"), stage).isEqualTo(expected));
            }
        }
    }
}
