package io.flagplane.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenFeatureValuesTest {

    @Test
    void a_json_value_with_whole_numbers_converts_with_as_object_map() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("showImages", true);
        json.put("title", "Check out these pics!");
        json.put("imagesPerPage", 100L);
        json.put("big", 10_000_000_000L);
        json.put("ratio", 0.5);
        json.put("nested", Map.of("n", List.of(1L, 2.5, "x")));
        json.put("none", null);

        Value value = OpenFeatureValues.value(json);

        Map<String, Object> plain = value.asStructure().asObjectMap();
        assertThat(plain.get("imagesPerPage")).isEqualTo(100);
        assertThat(plain.get("big")).isEqualTo(1.0E10);
        assertThat(plain.get("ratio")).isEqualTo(0.5);
        assertThat(plain.get("showImages")).isEqualTo(true);
        assertThat(plain.get("nested")).isEqualTo(Map.of("n", List.of(1, 2.5, "x")));
        assertThat(plain).containsEntry("none", null);
    }

    @Test
    void metadata_keeps_its_types_with_int_sized_whole_numbers_as_integers_and_the_version_as_a_long() {
        ImmutableMetadata metadata = OpenFeatureValues.metadata(7, Map.of("string", "1.0.2", "integer", 2L,
                "long", 5_000_000_000L, "float", 0.1, "boolean", true));

        assertThat(metadata.getString("string")).isEqualTo("1.0.2");
        assertThat(metadata.getInteger("integer")).isEqualTo(2);
        assertThat(metadata.getLong("long")).isEqualTo(5_000_000_000L);
        assertThat(metadata.getDouble("float")).isEqualTo(0.1);
        assertThat(metadata.getBoolean("boolean")).isTrue();
        assertThat(metadata.getLong("flagVersion")).isEqualTo(7L);
        assertThat(OpenFeatureValues.metadata(0, Map.of()).isEmpty()).isTrue();
    }
}
