package io.flagplane.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BucketingTest {

    private static final int KEYS = 100_000;

    static Stream<Arguments> goldenVectors() throws IOException {
        try (InputStream in = BucketingTest.class.getResourceAsStream("/bucketing/golden-vectors.json")) {
            JsonNode doc = new ObjectMapper().readTree(in);
            List<Arguments> cases = new ArrayList<>();
            doc.get("vectors").forEach(v -> cases.add(Arguments.of(v.get("salt").asText(), v.get("value").asText(),
                    v.get("hash").asLong(), v.get("bucket").asInt())));
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("goldenVectors")
    void golden_vectors_from_an_independent_implementation_hold(String salt, String value, long hash, int bucket) {
        assertThat(Bucketing.hash(salt, value)).isEqualTo(hash);
        assertThat(Bucketing.bucket(salt, value)).isEqualTo(bucket);
    }

    @Test
    void the_cross_check_is_murmur3_x86_32_by_its_published_values() {
        assertThat(StreamingReference.hash("".getBytes(StandardCharsets.UTF_8))).isZero();
        assertThat(StreamingReference.hash("hello".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x248bfa47L);
        assertThat(StreamingReference.hash("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(0x2e4ff723L);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1_000, 5_000})
    void distribution_is_within_half_a_percentage_point_over_100k_keys(int basisPoints) {
        Bucketing.Prefix prefix = Bucketing.Prefix.of("checkout.new_ui");
        int in = 0;
        for (int i = 0; i < KEYS; i++) {
            if (prefix.bucket("user-" + i) < basisPoints) {
                in++;
            }
        }
        double share = 100.0 * in / KEYS;
        assertThat(share).isCloseTo(basisPoints / 100.0, org.assertj.core.data.Offset.offset(0.5));
    }

    @Test
    void ramps_are_monotonic_everyone_in_at_10_percent_is_still_in_at_50() {
        Bucketing.Prefix prefix = Bucketing.Prefix.of("action_plan.customization");
        int[] steps = {100, 1_000, 5_000, 10_000};
        for (int i = 0; i < KEYS; i++) {
            int bucket = prefix.bucket("user-" + i);
            boolean wasIn = false;
            for (int step : steps) {
                boolean in = bucket < step;
                assertThat(!wasIn || in).as("user-%d in at a lower step must stay in at %d", i, step).isTrue();
                wasIn = in;
            }
        }
    }

    @Test
    void independent_flags_are_not_correlated() {
        Bucketing.Prefix a = Bucketing.Prefix.of("checkout.new_ui");
        Bucketing.Prefix b = Bucketing.Prefix.of("booking.enabled");
        int both = 0;
        int inA = 0;
        int inB = 0;
        for (int i = 0; i < KEYS; i++) {
            boolean x = a.bucket("user-" + i) < 5_000;
            boolean y = b.bucket("user-" + i) < 5_000;
            inA += x ? 1 : 0;
            inB += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        double expectedBoth = (double) inA / KEYS * inB / KEYS * 100;
        assertThat(100.0 * both / KEYS).isCloseTo(expectedBoth, org.assertj.core.data.Offset.offset(0.5));
        assertThat(100.0 * both / KEYS).isCloseTo(25.0, org.assertj.core.data.Offset.offset(0.7));
    }

    @Test
    void the_prefix_resumes_exactly_where_hashing_the_whole_string_would_be() {
        for (String salt : new String[] {"", "a", "ab", "abc", "abcd", "checkout.new_ui", "ünï"}) {
            for (String value : new String[] {"", "x", "user-42", "日本語", "😀"}) {
                assertThat(Bucketing.hash(salt, value))
                        .isEqualTo(StreamingReference.hash((salt + "." + value).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
