package io.flagplane.openfeature.gherkin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.FlagEvaluationOptions;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.Value;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** evaluation_v2, metadata and hooks: the flag under test, how it is evaluated, and what the details must say. */
public class FlagSteps {

    private static FlagEvaluationOptions options;
    private static List<String> optionCalls;
    private static CompletableFuture<FlagEvaluationDetails<?>> pending;
    private static Map<String, Value> contextBefore;

    @Given("a {}-flag with key {string} and a fallback value {string}")
    public void a_flag(String type, String key, String fallback) {
        World.flag = new World.FlagRequest(type, key, Values.convert(fallback, type));
    }

    @When("the flag was evaluated with details")
    public void evaluated() {
        World.details = evaluate(World.client, World.context, FlagEvaluationOptions.builder().build());
    }

    @When("the flag was evaluated with details asynchronously")
    public void evaluated_asynchronously() {
        Client client = World.client;
        MutableContext context = World.context;
        pending = CompletableFuture.supplyAsync(() -> evaluate(client, context, FlagEvaluationOptions.builder().build()));
    }

    @Then("the evaluation should complete without blocking")
    public void completes() throws Exception {
        World.details = pending.get(5, TimeUnit.SECONDS);
    }

    static FlagEvaluationDetails<?> evaluate(Client client, EvaluationContext context, FlagEvaluationOptions options) {
        World.FlagRequest flag = World.flag;
        return switch (flag.type().toLowerCase()) {
            case "boolean" -> client.getBooleanDetails(flag.key(), (Boolean) flag.defaultValue(), context, options);
            case "string" -> client.getStringDetails(flag.key(), (String) flag.defaultValue(), context, options);
            case "integer" -> client.getIntegerDetails(flag.key(), (Integer) flag.defaultValue(), context, options);
            case "float" -> client.getDoubleDetails(flag.key(), (Double) flag.defaultValue(), context, options);
            case "object" -> client.getObjectDetails(flag.key(), (Value) flag.defaultValue(), context, options);
            default -> throw new IllegalArgumentException("unknown flag type " + flag.type());
        };
    }

    @Then("the resolved details value should be {string}")
    public void value_should_be(String expected) {
        Object actual = World.details.getValue();
        World.check(() -> {
            if (World.flag.type().equalsIgnoreCase("object")) {
                // the SDK glue compares asObjectMap(), which throws for a Long inside the structure
                assertThat(((Value) actual).asStructure().asObjectMap())
                        .isEqualTo(((Value) Values.convert(expected, "object")).asStructure().asObjectMap());
            } else {
                assertThat(actual).isEqualTo(Values.convert(expected, World.flag.type()));
            }
        });
    }

    @Then("the flag key should be {string}")
    public void key_should_be(String key) {
        World.check(() -> assertThat(World.details.getFlagKey()).isEqualTo(key));
    }

    @Then("the reason should be {string}")
    public void reason_should_be(String reason) {
        World.check(() -> assertThat(World.details.getReason()).isEqualTo(reason));
    }

    @Then("the variant should be {string}")
    public void variant_should_be(String variant) {
        World.check(() -> assertThat(World.details.getVariant()).isEqualTo(variant));
    }

    @Then("the error-code should be {string}")
    public void error_code_should_be(String code) {
        World.check(() -> assertThat(World.details.getErrorCode()).isEqualTo(code.isEmpty() ? null : ErrorCode.valueOf(code)));
    }

    @Then("the resolved metadata should contain")
    public void metadata_should_contain(DataTable table) {
        ImmutableMetadata metadata = World.details.getFlagMetadata();
        List<List<String>> rows = table.asLists();
        for (List<String> row : rows.subList(1, rows.size())) {
            Object expected = Values.convert(row.get(2), row.get(1));
            World.check(() -> assertThat(metadata.getValue(row.get(0), expected.getClass())).isEqualTo(expected));
        }
    }

    @Then("the resolved metadata is empty")
    public void metadata_is_empty() {
        World.check(() -> assertThat(World.details.getFlagMetadata().isEmpty())
                .as("metadata %s", World.details.getFlagMetadata().asUnmodifiableMap()).isTrue());
    }

    // ---------------------------------------------------------------- evaluation options with hooks

    @Given("evaluation options containing specific hooks")
    public void options_with_hooks() {
        optionCalls = new CopyOnWriteArrayList<>();
        options = FlagEvaluationOptions.builder().hook(new RecordingHook("first", optionCalls))
                .hook(new RecordingHook("second", optionCalls)).build();
    }

    @When("the flag was evaluated with details using the evaluation options")
    public void evaluated_with_options() {
        World.details = evaluate(World.client, World.context, options);
    }

    @Then("the specified hooks should execute during evaluation")
    public void hooks_executed() {
        World.check(() -> assertThat(optionCalls).contains("first:before", "second:before", "first:after", "second:after",
                "first:finally", "second:finally"));
    }

    @Then("the hook order should be maintained")
    public void hook_order() {
        // the stages in the specification's order (every before, then every after, then every finally);
        // the order of two hooks of one level within a stage is the OpenFeature SDK's business, not the provider's
        World.check(() -> {
            assertThat(optionCalls).hasSize(6);
            assertThat(optionCalls.subList(0, 2)).containsExactlyInAnyOrder("first:before", "second:before");
            assertThat(optionCalls.subList(2, 4)).containsExactlyInAnyOrder("first:after", "second:after");
            assertThat(optionCalls.subList(4, 6)).containsExactlyInAnyOrder("first:finally", "second:finally");
        });
    }

    // ---------------------------------------------------------------- immutability (skipped, see Deviations)

    @Given("an evaluation context with modifiable data")
    public void modifiable_context() {
        World.context = new MutableContext("user-1", new HashMap<>(Map.of("email", new Value("a@b.c"))));
        contextBefore = new HashMap<>(World.context.asMap());
    }

    @Then("the original evaluation context should remain unmodified")
    public void context_unmodified() {
        World.check(() -> assertThat(World.context.asMap()).isEqualTo(contextBefore));
    }

    @Then("the evaluation details should be immutable")
    public void details_immutable() {
        World.check(() -> assertThat(FlagEvaluationDetails.class.getMethods()).noneMatch(m -> m.getName().startsWith("set")));
    }
}
