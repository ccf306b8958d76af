package io.flagplane.projection.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.PlanStarted;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.Events;
import io.flagplane.fixtures.States;
import io.flagplane.projection.history.HistoryReader;
import io.flagplane.registry.InMemorySchemaRegistry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShareWireTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final ShareWire sender = new ShareWire(registry, TopicNames.DEFAULT);
    private final ShareWire receiver = new ShareWire(registry, TopicNames.DEFAULT);

    private Audit.Share share() throws Exception {
        FlagEvent killed = Events.on("production", "checkout.new_ui").version(3).reason("error rate above 5%").killed();
        FlagEvent segment = Events.on("production", "beta-users").version(1)
                .with(new SegmentCreated(States.segment("production", "beta-users", 1, "u-1").getDefinition()));
        FlagEvent started = Events.on("production", "seed-001-rollout").version(2).with(new PlanStarted(List.of()));
        return new Audit.Share(List.of(
                new Audit.Entry("0001767225603000|production/checkout.new_ui|3", new FlagRef("production", "checkout.new_ui"),
                        new HistoryReader.Entry(3, killed.getOccurredAt(), killed,
                                new ObjectMapper().readTree("[{\"op\":\"replace\",\"path\":\"/killed\",\"value\":true}]"), null),
                        List.of("checkout", "seed-001")),
                new Audit.Entry("0001767225601000|production/segment:beta-users|1", new SegmentRef("production", "beta-users"),
                        new HistoryReader.Entry(1, segment.getOccurredAt(), segment, null, null), List.of()),
                new Audit.Entry("0001767225600500|production/plan:seed-001-rollout|2", AggregateRef.ofEventKey("production/plan:seed-001-rollout"),
                        new HistoryReader.Entry(2, started.getOccurredAt(), started, null, "plan seed-001-rollout started"), List.of())),
                "0001767225600000|production/other|1");
    }

    @Test
    void an_audit_share_arrives_as_it_was_sent() throws Exception {
        Audit.Share sent = share();

        Audit.Share received = receiver.decodeAudit(sender.encode(sent), "peer:8082");

        assertThat(received).isEqualTo(sent);
    }

    @Test
    void an_export_share_arrives_as_it_was_sent() {
        Export sent = new Export(List.of(States.booleanState("production", "a.flag", 2), States.booleanState("staging", "b.flag", 7)),
                List.of(States.segment("production", "beta-users", 1, "u-1", "u-2")));

        assertThat(receiver.decodeExport(sender.encode(sent), "peer:8082")).isEqualTo(sent);
    }

    @Test
    void an_empty_share_is_fine() {
        assertThat(receiver.decodeAudit(sender.encode(new Audit.Share(List.of(), null)), "peer")).isEqualTo(new Audit.Share(List.of(), null));
        assertThat(receiver.decodeExport(sender.encode(new Export(List.of(), List.of())), "peer")).isEqualTo(new Export(List.of(), List.of()));
    }

    @Test
    void a_truncated_foreign_or_overlong_body_is_refused_as_the_peers_fault() throws Exception {
        byte[] audit = sender.encode(share());
        byte[] export = sender.encode(new Export(List.of(States.booleanState("production", "a.flag", 2)), List.of()));
        byte[] hugeCount = Arrays.copyOf(export, export.length);
        hugeCount[4] = 0x7f;   // the flag count's high byte: more flags than the body could hold

        for (byte[] bad : List.of(Arrays.copyOf(audit, audit.length - 1), Arrays.copyOf(audit, audit.length + 1), export,
                "{\"entries\":[]}".getBytes(), new byte[0])) {
            assertThatThrownBy(() -> receiver.decodeAudit(bad, "peer:8082"))
                    .isInstanceOf(QueryException.class).hasMessageContaining("peer:8082").hasMessageContaining("audit log");
        }
        for (byte[] bad : List.of(audit, hugeCount, Arrays.copyOf(export, 12))) {
            assertThatThrownBy(() -> receiver.decodeExport(bad, "peer:8082"))
                    .isInstanceOf(QueryException.class).hasMessageContaining("export");
        }
    }
}
