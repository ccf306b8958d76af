package io.flagplane.projection.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryCodecTest {

    @Test
    void history_keys_sort_by_flag_then_version_and_never_mix_flags_sharing_a_prefix() {
        String v2 = HistoryCodec.historyKey("production/a.b", 2);
        String v10 = HistoryCodec.historyKey("production/a.b", 10);
        String longer = HistoryCodec.historyKey("production/a.b.c", 1);
        assertThat(v2).isLessThan(v10);
        assertThat(longer).isGreaterThan(HistoryCodec.historyKey("production/a.b", Long.MAX_VALUE));
    }

    @Test
    void keyframes_every_32_versions() {
        assertThat(HistoryCodec.isKeyframe(1)).isTrue();
        assertThat(HistoryCodec.isKeyframe(32)).isFalse();
        assertThat(HistoryCodec.isKeyframe(33)).isTrue();
        assertThat(HistoryCodec.keyframeFor(1)).isEqualTo(1);
        assertThat(HistoryCodec.keyframeFor(32)).isEqualTo(1);
        assertThat(HistoryCodec.keyframeFor(33)).isEqualTo(33);
        assertThat(HistoryCodec.keyframeFor(10_000)).isEqualTo(9_985);
    }

    @Test
    void values_round_trip() {
        byte[] value = HistoryCodec.historyValue(1_234L, new byte[] {1, 2, 3}, new byte[] {9});
        HistoryCodec.HistoryValue read = HistoryCodec.readHistoryValue(value);
        assertThat(read.occurredAtMillis()).isEqualTo(1_234L);
        assertThat(read.event()).containsExactly(1, 2, 3);
        assertThat(read.keyframe()).containsExactly(9);
        assertThat(HistoryCodec.occurredAtMillis(value)).isEqualTo(1_234L);
        assertThat(HistoryCodec.readHistoryValue(HistoryCodec.historyValue(5, new byte[] {7}, null)).hasKeyframe()).isFalse();
        assertThatThrownBy(() -> HistoryCodec.readHistoryValue(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 99}))
                .isInstanceOf(IllegalArgumentException.class);

        HistoryCodec.AuditValue audit = HistoryCodec.readAuditValue(HistoryCodec.auditValue("alice", "FlagKilled", List.of("a", "b")));
        assertThat(audit).isEqualTo(new HistoryCodec.AuditValue("alice", "FlagKilled", List.of("a", "b")));
        assertThat(HistoryCodec.readAuditValue(HistoryCodec.auditValue("ci", "FlagEnabled", List.of())).tags()).isEmpty();
    }

    @Test
    void audit_keys_sort_by_time_and_parse_back() {
        String key = HistoryCodec.auditKey(1_700_000_000_000L, "production/segment:beta", 7);
        assertThat(HistoryCodec.parseAuditKey(key))
                .isEqualTo(new HistoryCodec.AuditKey(1_700_000_000_000L, "production/segment:beta", 7));
        assertThat(HistoryCodec.auditFloor(1_700_000_000_000L)).isLessThan(key);
        assertThat(HistoryCodec.auditCeiling(1_700_000_000_000L)).isGreaterThan(key);
        assertThat(HistoryCodec.auditCeiling(1_700_000_000_000L)).isLessThan(HistoryCodec.auditFloor(1_700_000_000_001L));
    }
}
