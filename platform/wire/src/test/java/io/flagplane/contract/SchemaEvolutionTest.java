package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagNotice;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.SegmentState;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.registry.CompatibilityLevel;
import io.flagplane.registry.InMemorySchemaRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract only evolves BACKWARD: the current schemas must read every record written with
 * any released schema. Released schemas live in {@code src/test/resources/released/<subject>/vN.avsc};
 * when a version ships, its schema is added there and never edited again.
 */
class SchemaEvolutionTest {

    static Stream<Arguments> releasedSchemas() throws IOException, URISyntaxException {
        List<Arguments> cases = new ArrayList<>();
        add(cases, Topics.valueSubject(Topics.FLAG_EVENTS), FlagEvent.getClassSchema());
        add(cases, Topics.valueSubject(Topics.FLAG_STATE), FlagState.getClassSchema());
        add(cases, Topics.valueSubject(Topics.SEGMENT_STATE), SegmentState.getClassSchema());
        add(cases, Topics.valueSubject(Topics.EVALUATOR_REPORTS), EvaluatorReport.getClassSchema());
        add(cases, Topics.valueSubject(Topics.FLAG_NOTICES), FlagNotice.getClassSchema());
        add(cases, Topics.valueSubject(Topics.FLAG_EXPOSURES), Exposure.getClassSchema());
        add(cases, Topics.valueSubject(Topics.TRACKING_EVENTS), TrackingEvent.getClassSchema());
        add(cases, Topics.valueSubject(Topics.RELEASE_SIGNALS), ReleaseSignal.getClassSchema());
        return cases.stream();
    }

    private static void add(List<Arguments> cases, String subject, Schema current) throws IOException, URISyntaxException {
        Path dir = Path.of(SchemaEvolutionTest.class.getResource("/released/" + subject).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.toString().endsWith(".avsc")).sorted().forEach(f -> {
                try {
                    cases.add(Arguments.of(subject, f.getFileName().toString(),
                            new Schema.Parser().parse(Files.readString(f)), current));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("releasedSchemas")
    void current_schema_reads_records_written_with_every_released_schema(String subject, String file,
                                                                          Schema released, Schema current) {
        assertThat(CompatibilityLevel.BACKWARD.violations(current, List.of(released)))
                .as("the current %s schema must read records written with %s", subject, file)
                .isEmpty();
    }

    @Test
    void every_subject_has_at_least_one_released_schema() throws Exception {
        assertThat(releasedSchemas().map(a -> a.get()[0]).distinct())
                .containsExactlyInAnyOrder("flag-events-value", "flag-state-value", "segment-state-value",
                        "evaluator-reports-value", "flag-notices-value", "flag-exposures-value", "tracking-events-value", "release-signals-value");
    }

    @Test
    void the_registry_accepts_the_current_schemas_after_all_released_ones() throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        releasedSchemas().forEach(a -> registry.register((String) a.get()[0], (Schema) a.get()[2]));
        registry.register("flag-events-value", FlagEvent.getClassSchema());
        registry.register("flag-state-value", FlagState.getClassSchema());
        registry.register("segment-state-value", SegmentState.getClassSchema());
        registry.register("evaluator-reports-value", EvaluatorReport.getClassSchema());
        registry.register("flag-notices-value", FlagNotice.getClassSchema());
        registry.register("flag-exposures-value", Exposure.getClassSchema());
        registry.register("tracking-events-value", TrackingEvent.getClassSchema());
        registry.register("release-signals-value", ReleaseSignal.getClassSchema());
    }

    @Test
    void the_check_catches_a_new_required_field_without_a_default() throws IOException {
        Schema released = FlagEvent.getClassSchema();
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(released.toString());
        ObjectNode field = ((ArrayNode) json.get("fields")).addObject();
        field.put("name", "tenant");
        field.put("type", "string");
        Schema broken = new Schema.Parser().parse(json.toString());

        assertThat(CompatibilityLevel.BACKWARD.violations(broken, List.of(released)))
                .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT").contains("tenant");
    }

    @Test
    void the_check_catches_a_removed_event_type() throws IOException {
        Schema released = FlagEvent.getClassSchema();
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(released.toString());
        for (var f : json.get("fields")) {
            if (f.get("name").asText().equals("payload")) {
                ((ArrayNode) f.get("type")).remove(4); // FlagKilled
            }
        }
        Schema broken = new Schema.Parser().parse(json.toString());

        assertThat(CompatibilityLevel.BACKWARD.violations(broken, List.of(released))).isNotEmpty();
    }

    @Test
    void released_files_are_pretty_printed_json_schemas() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/released/flag-events-value/v1.avsc")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(new Schema.Parser().parse(text).getFullName()).isEqualTo("io.flagplane.avro.FlagEvent");
        }
    }
}
