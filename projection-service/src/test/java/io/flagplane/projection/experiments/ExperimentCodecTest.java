package io.flagplane.projection.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ValueAggregation;
import io.flagplane.projection.telemetry.TelemetryCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The totals and points travel between instances as JSON: what one instance writes, another reads back equal. */
class ExperimentCodecTest {

    @Test
    void a_users_facts_read_back_equal_names_in_any_script_and_truncated_bytes_are_refused() {
        UserFacts facts = new UserFacts(List.of(new UserFacts.Exposed(Experiments.KEY, Experiments.FLAG, 1_700_000_000_000L, "contrôle",
                List.of("contrôle", "試験"), true, new Contribution("contrôle", true, new long[]{3, 0}, new long[]{Long.MIN_VALUE, -1}))),
                List.of(new UserFacts.Tracked(-5, "évènement-1", "booking_confirmed", Units.of(-12.5), Long.MAX_VALUE)));
        byte[] bytes = ExperimentCodec.encode(facts);
        assertThat(ExperimentCodec.decode(bytes)).isEqualTo(facts);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExperimentCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void totals_and_points_read_back_equal_with_128_bit_squares_intact() {
        ExperimentSpec spec = Experiments.pricingDisplayTest().conversion("booking_confirmed", 168)
                .value("revenue", ValueAggregation.SUM, 168).spec();
        ExperimentTotals totals = ExperimentTotals.empty(Experiments.FLAG);
        for (long value : List.of(Units.of(999_999_999.5), Units.of(-3.25), 0L)) {
            totals = totals.apply(new UserFold.Delta(Experiments.KEY, Experiments.FLAG, null,
                    new Contribution("control", false, new long[]{1, 1}, new long[]{0, value}), "control"), spec);
        }
        totals = totals.apply(new UserFold.Delta(Experiments.KEY, Experiments.FLAG, null, Contribution.mixed("upfront-fees"), null),
                spec);
        assertThat(totals.variant("control").squaresHigh()[1]).as("the square needs more than 64 bits").isNotZero();

        ExperimentTotals back = TelemetryCodec.decode(TelemetryCodec.encode(totals), ExperimentTotals.class);
        assertThat(back).isEqualTo(totals);
        Snapshot point = new Snapshot(2, 1_700_000_000_000L, totals);
        assertThat(TelemetryCodec.decode(TelemetryCodec.encode(point), Snapshot.class)).isEqualTo(point);
    }
}
