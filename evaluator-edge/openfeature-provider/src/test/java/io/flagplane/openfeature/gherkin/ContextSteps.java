package io.flagplane.openfeature.gherkin;

import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.Value;
import io.cucumber.java.en.Given;
import java.util.Map;

/** The evaluation context a scenario builds up. */
public class ContextSteps {

    @Given("a context containing a key {string}, with type {string} and with value {string}")
    public void a_context_entry(String key, String type, String value) {
        Map<String, Value> map = World.context.asMap();
        map.put(key, Value.objectToValue(Values.convert(value, type)));
        World.context = new MutableContext(World.context.getTargetingKey(), map);
    }

    @Given("a context containing a key {string} with null value")
    public void a_null_context_entry(String key) {
        a_context_entry(key, "String", null);
    }

    @Given("a context containing a targeting key with value {string}")
    public void a_targeting_key(String key) {
        World.context.setTargetingKey(key);
    }
}
