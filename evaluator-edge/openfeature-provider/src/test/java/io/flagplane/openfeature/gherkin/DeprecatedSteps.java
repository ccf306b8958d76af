package io.flagplane.openfeature.gherkin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.HashMap;
import java.util.Map;

/**
 * evaluation.feature (deprecated upstream, kept for context-aware and wrong-flag): the OpenFeature
 * Java SDK's earlier glue, one step per type. Values and details go into {@link World} like the rest.
 */
public class DeprecatedSteps {

    private static Object value;
    private static String contextAwareKey;
    private static String contextAwareDefault;
    private static ImmutableContext context;

    @When("a boolean flag with key {string} is evaluated with default value {string}")
    public void boolean_value(String key, String fallback) {
        value = World.client.getBooleanValue(key, Boolean.valueOf(fallback));
    }

    @When("a string flag with key {string} is evaluated with default value {string}")
    public void string_value(String key, String fallback) {
        value = World.client.getStringValue(key, fallback);
    }

    @When("an integer flag with key {string} is evaluated with default value {int}")
    public void integer_value(String key, int fallback) {
        value = World.client.getIntegerValue(key, fallback);
    }

    @When("a float flag with key {string} is evaluated with default value {double}")
    public void float_value(String key, double fallback) {
        value = World.client.getDoubleValue(key, fallback);
    }

    @When("an object flag with key {string} is evaluated with a null default value")
    public void object_value(String key) {
        value = World.client.getObjectValue(key, new Value());
    }

    @Then("the resolved boolean value should be {string}")
    public void boolean_is(String expected) {
        World.check(() -> assertThat(value).isEqualTo(Boolean.valueOf(expected)));
    }

    @Then("the resolved string value should be {string}")
    public void string_is(String expected) {
        World.check(() -> assertThat(value).isEqualTo(expected));
    }

    @Then("the resolved integer value should be {int}")
    public void integer_is(int expected) {
        World.check(() -> assertThat(value).isEqualTo(expected));
    }

    @Then("the resolved float value should be {double}")
    public void float_is(double expected) {
        World.check(() -> assertThat(value).isEqualTo(expected));
    }

    @Then("the resolved object value should be contain fields {string}, {string}, and {string}, with values {string}, {string} and {int}, respectively")
    public void object_is(String boolField, String stringField, String numberField, String boolValue, String stringValue,
                          int numberValue) {
        assertStructure(((Value) value).asStructure(), boolField, stringField, numberField, boolValue, stringValue, numberValue);
    }

    private static void assertStructure(Structure structure, String boolField, String stringField, String numberField,
                                        String boolValue, String stringValue, int numberValue) {
        World.check(() -> {
            assertThat(structure.getValue(boolField).asBoolean()).isEqualTo(Boolean.valueOf(boolValue));
            assertThat(structure.getValue(stringField).asString()).isEqualTo(stringValue);
            assertThat(structure.getValue(numberField).asInteger()).isEqualTo(numberValue);
        });
    }

    @When("a boolean flag with key {string} is evaluated with details and default value {string}")
    public void boolean_details(String key, String fallback) {
        World.details = World.client.getBooleanDetails(key, Boolean.valueOf(fallback));
    }

    @When("a string flag with key {string} is evaluated with details and default value {string}")
    public void string_details(String key, String fallback) {
        World.details = World.client.getStringDetails(key, fallback);
    }

    @When("an integer flag with key {string} is evaluated with details and default value {int}")
    public void integer_details(String key, int fallback) {
        World.details = World.client.getIntegerDetails(key, fallback);
    }

    @When("a float flag with key {string} is evaluated with details and default value {double}")
    public void float_details(String key, double fallback) {
        World.details = World.client.getDoubleDetails(key, fallback);
    }

    @When("an object flag with key {string} is evaluated with details and a null default value")
    public void object_details(String key) {
        World.details = World.client.getObjectDetails(key, new Value());
    }

    @Then("the resolved boolean details value should be {string}, the variant should be {string}, and the reason should be {string}")
    public void boolean_details_are(String expected, String variant, String reason) {
        detailsAre(Boolean.valueOf(expected), variant, reason);
    }

    @Then("the resolved string details value should be {string}, the variant should be {string}, and the reason should be {string}")
    public void string_details_are(String expected, String variant, String reason) {
        detailsAre(expected, variant, reason);
    }

    @Then("the resolved integer details value should be {int}, the variant should be {string}, and the reason should be {string}")
    public void integer_details_are(int expected, String variant, String reason) {
        detailsAre(expected, variant, reason);
    }

    @Then("the resolved float details value should be {double}, the variant should be {string}, and the reason should be {string}")
    public void float_details_are(double expected, String variant, String reason) {
        detailsAre(expected, variant, reason);
    }

    private static void detailsAre(Object expected, String variant, String reason) {
        FlagEvaluationDetails<?> details = World.details;
        World.check(() -> {
            assertThat(details.getValue()).isEqualTo(expected);
            assertThat(details.getVariant()).isEqualTo(variant);
            assertThat(details.getReason()).isEqualTo(reason);
        });
    }

    @Then("the resolved object details value should be contain fields {string}, {string}, and {string}, with values {string}, {string} and {int}, respectively")
    public void object_details_are(String boolField, String stringField, String numberField, String boolValue,
                                   String stringValue, int numberValue) {
        assertStructure(((Value) World.details.getValue()).asStructure(), boolField, stringField, numberField, boolValue,
                stringValue, numberValue);
    }

    @Then("the variant should be {string}, and the reason should be {string}")
    public void variant_and_reason(String variant, String reason) {
        World.check(() -> {
            assertThat(World.details.getVariant()).isEqualTo(variant);
            assertThat(World.details.getReason()).isEqualTo(reason);
        });
    }

    @When("context contains keys {string}, {string}, {string}, {string} with values {string}, {string}, {int}, {string}")
    public void context_contains(String k1, String k2, String k3, String k4, String v1, String v2, Integer v3, String v4) {
        Map<String, Value> attributes = new HashMap<>();
        attributes.put(k1, new Value(v1));
        attributes.put(k2, new Value(v2));
        attributes.put(k3, new Value(v3));
        attributes.put(k4, new Value(Boolean.valueOf(v4)));
        context = new ImmutableContext(attributes);
    }

    @When("a flag with key {string} is evaluated with default value {string}")
    public void context_aware(String key, String fallback) {
        contextAwareKey = key;
        contextAwareDefault = fallback;
        value = World.client.getStringValue(key, fallback, context);
    }

    @Then("the resolved string response should be {string}")
    public void string_response(String expected) {
        World.check(() -> assertThat(value).isEqualTo(expected));
    }

    @Then("the resolved flag value is {string} when the context is empty")
    public void empty_context(String expected) {
        String empty = World.client.getStringValue(contextAwareKey, contextAwareDefault, new ImmutableContext());
        World.check(() -> assertThat(empty).isEqualTo(expected));
    }

    @When("a non-existent string flag with key {string} is evaluated with details and a fallback value {string}")
    public void missing_flag(String key, String fallback) {
        contextAwareDefault = fallback;
        World.details = World.client.getStringDetails(key, fallback);
    }

    @Then("the default string value should be returned")
    public void default_string() {
        World.check(() -> assertThat(World.details.getValue()).isEqualTo(contextAwareDefault));
    }

    @Then("the reason should indicate an error and the error code should indicate a missing flag with {string}")
    public void missing_error(String code) {
        errorIs(code);
    }

    @When("a string flag with key {string} is evaluated as an integer, with details and a fallback value {int}")
    public void wrong_type(String key, int fallback) {
        value = fallback;
        World.details = World.client.getIntegerDetails(key, fallback);
    }

    @Then("the default integer value should be returned")
    public void default_integer() {
        World.check(() -> assertThat(World.details.getValue()).isEqualTo(value));
    }

    @Then("the reason should indicate an error and the error code should indicate a type mismatch with {string}")
    public void type_error(String code) {
        errorIs(code);
    }

    private static void errorIs(String code) {
        World.check(() -> {
            assertThat(World.details.getReason()).isEqualTo("ERROR");
            assertThat(World.details.getErrorCode().name()).isEqualTo(code);
        });
    }
}
