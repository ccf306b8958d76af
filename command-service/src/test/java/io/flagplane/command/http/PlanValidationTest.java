package io.flagplane.command.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.BreachAction;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Decision;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.WriteModel;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rollout-plan commands as the API reads them (definitions, steps, guardrails, presets, tags),
 * table-driven: bad input gets a stable code, the JSON path of the field and a sentence — resolved,
 * parsed, prechecked and decided exactly as the service does, without Kafka; good input becomes
 * the plan it should.
 */
class PlanValidationTest {

    /** production, declared: a boolean flag, seed 000's four flags tagged charges, and a flag under another plan. */
    private static final ReadModel MODEL = WriteModel.of(
            Events.on("production", "production").version(1).environmentCreated(),
            Events.on("production", "action_plan.customization").version(1).createdBoolean(false),
            Events.on("production", "busy.flag").version(1).createdBoolean(true),
            Events.on("production", "busy.flag").version(2).with(new FlagPlanSet("other-plan")),
            Events.on("production", "charges.engine").version(1).created(tagged("charges.engine"), true),
            Events.on("production", "charges.ui").version(1).created(tagged("charges.ui"), true),
            Events.on("production", "referrer.fuzzy").version(1).created(tagged("referrer.fuzzy"), false),
            Events.on("production", "auto_compute.charges").version(1).created(tagged("auto_compute.charges"), true));

    private static final String FLAG = "\"flagKeys\":[\"action_plan.customization\"]";
    private static final String STEP = "{\"name\":\"ten\",\"commands\":[{\"action\":\"setRollout\",\"flag\":\"action_plan.customization\","
            + "\"percentage\":10}]}";

    private static io.flagplane.avro.FlagDefinition tagged(String key) {
        io.flagplane.avro.FlagDefinition d = Events.booleanFlag(key);
        d.setTags(List.of("charges"));
        return d;
    }

    static Command parse(ReadModel model, String json) throws Exception {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(json);
        if (!node.has("environment")) {
            node.put("environment", "production");
        }
        PlanJson.resolve(model, node);
        return CommandJson.parse(node);
    }

    private static List<Decision> decide(String json) throws Exception {
        Command command = parse(MODEL, json);
        Aggregates.precheck(command);
        return Aggregates.decide(MODEL, command);
    }

    private static CommandException refusal(String json) {
        return catchThrowableOfType(CommandException.class, () -> decide(json));
    }

    private static RolloutPlanDefinition created(String json) throws Exception {
        List<Decision> decisions = decide(json);
        assertThat(decisions).singleElement().satisfies(d -> assertThat(d.payload()).isInstanceOf(PlanCreated.class));
        return ((PlanCreated) decisions.get(0).payload()).getDefinition();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            key not allowed               | {"action":"createPlan","key":"Action Plan","flagKeys":["action_plan.customization"],"steps":[]} | INVALID_FIELD | key | not allowed
            no flags and no tag           | {"action":"createPlan","key":"p","steps":[]} | INVALID_FIELD | flagKeys | flagKeys is required
            a tag no flag carries         | {"action":"createPlan","key":"p","tag":"nothing","steps":[]} | NO_MATCHING_FLAGS | tag | no live flag
            a flag that does not exist    | {"action":"createPlan","key":"p","flagKeys":["no.such"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"no.such"}]}]} | FLAG_NOT_FOUND | flagKeys[0] | does not exist
            a flag named twice            | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization","action_plan.customization"],"steps":[]} | INVALID_FIELD | flagKeys[1] | named twice
            a flag under another plan     | {"action":"createPlan","key":"p","flagKeys":["busy.flag"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"busy.flag"}]}]} | PLAN_ALREADY_RUNNING | flagKeys[0] | under rollout plan 'other-plan'
            no steps                      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"]} | INVALID_FIELD | steps | steps is required
            an empty list of steps        | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[]} | INVALID_FIELD | steps | 1 to 20 steps
            a step name twice             | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]},{"name":"a","commands":[{"action":"disable","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[1].name | used twice
            a step name with spaces       | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"step one","commands":[{"action":"enable","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].name | not allowed
            a step without commands       | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a"}]} | INVALID_FIELD | steps[0].commands | is required
            a step with no command        | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[]}]} | INVALID_FIELD | steps[0].commands | 1 to 200 commands
            an unknown action             | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"explode","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].commands[0].action | not one of
            a bad percentage              | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"setRollout","flag":"action_plan.customization","percentage":101}]}]} | INVALID_FIELD | steps[0].commands[0].percentage | between 0 and 100
            a flag outside the plan       | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"charges.ui"}]}]} | INVALID_FIELD | steps[0].commands[0].flag | not one of the plan's flags
            another environment           | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","environment":"staging","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].commands[0].environment | changes only that environment
            a step command with a version | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization","expectedVersion":3}]}]} | INVALID_FIELD | steps[0].commands[0].expectedVersion | carry no expectedVersion
            a step that archives          | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"archive","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].commands[0].action | targeting of the plan's own flags
            a step that kills by tag      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"killByTag","tag":"charges"}]}]} | INVALID_FIELD | steps[0].commands[0].action | targeting of the plan's own flags
            a negative hold               | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","holdSeconds":-1,"commands":[{"action":"enable","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].holdSeconds | from 0 to
            a hold of a year              | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","holdSeconds":31536000,"commands":[{"action":"enable","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].holdSeconds | 90 days
            a hold that is not whole      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","holdSeconds":1.5,"commands":[{"action":"enable","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].holdSeconds | whole number
            a misspelled step field       | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","hold":60,"commands":[{"action":"enable","flag":"action_plan.customization"}]}]} | INVALID_FIELD | steps[0].hold | unknown field
            a threshold without event     | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"error-rate","kind":"threshold","limit":0.05}]} | INVALID_FIELD | guardrails[0].eventKey | needs eventKey
            a threshold of zero           | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"error-rate","kind":"threshold","eventKey":"http_error","limit":0}]} | INVALID_FIELD | guardrails[0].limit | above 0 and at most 1
            a threshold over 1            | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"error-rate","kind":"threshold","eventKey":"http_error","limit":5}]} | INVALID_FIELD | guardrails[0].limit | above 0 and at most 1
            a threshold per itself        | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"error-rate","kind":"threshold","eventKey":"http_error","perEventKey":"http_error","limit":0.05}]} | INVALID_FIELD | guardrails[0].perEventKey | cannot be eventKey
            a threshold with a query      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"error-rate","kind":"threshold","eventKey":"http_error","limit":0.05,"query":"up"}]} | INVALID_FIELD | guardrails[0].query | has no query
            a negative regression         | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"worse","kind":"regression","eventKey":"http_error","limit":-0.1}]} | INVALID_FIELD | guardrails[0].limit | tolerated difference
            a regression per request      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"worse","kind":"regression","eventKey":"http_error","perEventKey":"request","limit":0.01}]} | INVALID_FIELD | guardrails[0].perEventKey | has no perEventKey
            no traffic with a limit       | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"quiet","kind":"no_traffic","limit":1}]} | INVALID_FIELD | guardrails[0].limit | has no limit
            prometheus without a URL      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"p99","kind":"prometheus","query":"up","limit":1}]} | INVALID_FIELD | guardrails[0].prometheusUrl | http(s) base URL
            prometheus over ftp           | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"p99","kind":"prometheus","prometheusUrl":"ftp://prom:9090","query":"up","limit":1}]} | INVALID_FIELD | guardrails[0].prometheusUrl | http(s) base URL
            prometheus with credentials   | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"p99","kind":"prometheus","prometheusUrl":"http://u:pw@prom:9090","query":"up","limit":1}]} | INVALID_FIELD | guardrails[0].prometheusUrl | without credentials
            prometheus without a query    | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"p99","kind":"prometheus","prometheusUrl":"http://prom:9090","limit":1}]} | INVALID_FIELD | guardrails[0].query | PromQL
            prometheus without a limit    | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"p99","kind":"prometheus","prometheusUrl":"http://prom:9090","query":"up"}]} | INVALID_FIELD | guardrails[0].limit | needs limit
            a window of 5 s               | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"quiet","kind":"no_traffic","windowSeconds":5}]} | INVALID_FIELD | guardrails[0].windowSeconds | from 10 to 86400
            a guardrail of no kind        | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"x","kind":"vibes"}]} | INVALID_FIELD | guardrails[0].kind | not one of threshold
            a breach action unknown       | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"x","kind":"no_traffic","onBreach":"panic"}]} | INVALID_FIELD | guardrails[0].onBreach | not one of rollback, pause, hold
            a guardrail name twice        | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"guardrails":[{"name":"x","kind":"no_traffic"},{"name":"x","kind":"sample_ratio"}]} | INVALID_FIELD | guardrails[1].name | used twice
            a rollback action unknown     | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"rollbackAction":"undo"} | INVALID_FIELD | rollbackAction | not one of kill, restore, previous_step
            a control that is no variant  | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"controlVariant":"old"} | INVALID_FIELD | controlVariant | not a variant of flag
            control and treatment alike   | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"controlVariant":"on","treatmentVariant":"on"} | INVALID_FIELD | treatmentVariant | is the control variant
            startAt not an instant        | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}],"startAt":"monday"} | INVALID_FIELD | startAt | ISO-8601
            a preset nobody knows         | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"yolo"} | INVALID_FIELD | preset | not one of
            preset parameters with steps  | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"seed-001","presetParameters":{"internalUsers":["1"]},"steps":[]} | INVALID_FIELD | presetParameters | leave steps out
            seed 001 without testers      | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"seed-001"} | INVALID_FIELD | presetParameters.internalUsers | internal testers
            seed 001 with an unknown knob | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"seed-001","presetParameters":{"internalUsers":["1"],"percent":5}} | INVALID_FIELD | presetParameters.percent | unknown field
            seed 001 on a missing variant | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"seed-001","presetParameters":{"internalUsers":["1"],"variant":"blue"}} | INVALID_FIELD | presetParameters.variant | has no variant 'blue'
            seed 002 holding no such step | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"seed-002-percent","presetParameters":{"holdSeconds":{"5-percent":60}}} | INVALID_FIELD | presetParameters.holdSeconds.5-percent | unknown field
            seed 000 on no seed 000 flag  | {"action":"createPlan","key":"p","flagKeys":["action_plan.customization"],"preset":"seed-000-roles"} | INVALID_FIELD | presetParameters.flags | none of the plan's flags
            seed 000 naming a stranger    | {"action":"createPlan","key":"p","tag":"charges","preset":"seed-000-roles","presetParameters":{"flags":{"charges_engine":"action_plan.customization"}}} | INVALID_FIELD | presetParameters.flags.charges_engine | not one of the plan's flags
            update of a plan not there    | {"action":"updatePlan","plan":"ghost","flagKeys":["action_plan.customization"],"steps":[{"name":"a","commands":[{"action":"enable","flag":"action_plan.customization"}]}]} | PLAN_NOT_FOUND | | does not exist
            start naming a key            | {"action":"startPlan","plan":"ghost","key":"x"} | INVALID_FIELD | key | unknown field
            rollback with a bad action    | {"action":"rollBackPlan","plan":"ghost","rollbackAction":"revert"} | INVALID_FIELD | rollbackAction | not one of
            """)
    void a_bad_plan_command_is_refused_with_its_code_field_and_a_sentence(String why, String json, String code, String field,
                                                                         String message) {
        CommandException refused = refusal(json);

        assertThat(refused).as(why).isNotNull();
        assertThat(refused.code().name()).as(why + ": " + refused.getMessage()).isEqualTo(code);
        assertThat(refused.field()).as(why).isEqualTo(field == null || field.isBlank() ? null : field);
        assertThat(refused.getMessage()).as(why).contains(message);
    }

    @Test
    void a_full_definition_is_read_part_by_part() throws Exception {
        RolloutPlanDefinition d = created("{\"action\":\"createPlan\",\"key\":\"action-plan-rollout\",\"description\":\"seed 001\","
                + FLAG + ",\"steps\":[" + STEP + ",{\"name\":\"all\",\"holdSeconds\":3600,\"manualApproval\":true,\"minimumSample\":500,"
                + "\"commands\":[{\"action\":\"setRollout\",\"flag\":\"action_plan.customization\",\"percentage\":100}]}],"
                + "\"guardrails\":[{\"name\":\"error-rate\",\"kind\":\"threshold\",\"eventKey\":\"http_error\",\"perEventKey\":\"request\","
                + "\"limit\":0.05,\"windowSeconds\":600},{\"name\":\"p99\",\"kind\":\"prometheus\",\"prometheusUrl\":\"https://prom.example:9090\","
                + "\"query\":\"histogram_quantile(0.99, rate(x[5m]))\",\"limit\":0.5,\"onBreach\":\"pause\"}],"
                + "\"rollbackAction\":\"previous_step\",\"controlVariant\":\"off\",\"treatmentVariant\":\"on\","
                + "\"startAt\":\"2026-12-01T09:00:00.123456Z\"}");

        assertThat(d.getSteps()).extracting(s -> s.getName() + "/" + s.getHoldSeconds() + "/" + s.getManualApproval() + "/"
                + s.getMinimumSample()).containsExactly("ten/0/false/0", "all/3600/true/500");
        assertThat(d.getSteps().get(0).getCommandsJson()).as("kept as the change-set JSON, with its environment")
                .isEqualTo("[{\"action\":\"setRollout\",\"flag\":\"action_plan.customization\",\"percentage\":10,"
                        + "\"environment\":\"production\"}]");
        assertThat(d.getGuardrails()).extracting(g -> g.getKind()).containsExactly(GuardrailKind.THRESHOLD, GuardrailKind.PROMETHEUS);
        assertThat(d.getGuardrails().get(0).getOnBreach()).isEqualTo(BreachAction.ROLLBACK);
        assertThat(d.getGuardrails().get(1).getOnBreach()).isEqualTo(BreachAction.PAUSE);
        assertThat(d.getGuardrails().get(0).getPerEventKey()).isEqualTo("request");
        assertThat(d.getRollbackAction()).isEqualTo(RollbackAction.PREVIOUS_STEP);
        assertThat(d.getStartAt()).isEqualTo(Instant.parse("2026-12-01T09:00:00.123Z"));
        assertThat(d.getPreset()).isNull();
    }

    @Test
    void a_tag_resolves_to_its_live_flags_by_key() throws Exception {
        RolloutPlanDefinition d = created("{\"action\":\"createPlan\",\"key\":\"charges\",\"tag\":\"charges\",\"steps\":[{\"name\":\"a\","
                + "\"commands\":[{\"action\":\"enable\",\"flag\":\"referrer.fuzzy\"}]}]}");

        assertThat(d.getFlagKeys()).containsExactly("auto_compute.charges", "charges.engine", "charges.ui", "referrer.fuzzy");
        assertThat(d.getTag()).isEqualTo("charges");
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = "PLAN_.*", mode = EnumSource.Mode.MATCH_ALL)
    void plan_refusals_are_404_or_409(ErrorCode code) {
        assertThat(CommandErrors.statusOf(code)).isEqualTo(code == ErrorCode.PLAN_NOT_FOUND ? 404 : 409);
    }
}
