package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.wire.WireFormatException;
import org.apache.avro.AvroTypeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class FailureKindTest {

    @Test
    void a_rejected_credential_an_acl_refusal_and_an_unreadable_contract_are_beyond_retry() {
        assertThat(FailureKind.of(new SaslAuthenticationException("bad password"))).isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(FailureKind.of(new TopicAuthorizationException("no read on flag-state"))).isEqualTo(FailureKind.AUTHORIZATION);
        assertThat(FailureKind.of(new GroupAuthorizationException("no group"))).isEqualTo(FailureKind.AUTHORIZATION);
        assertThat(FailureKind.of(new AvroTypeException("found x, expecting y"))).isEqualTo(FailureKind.CONTRACT);
        assertThat(FailureKind.of(new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, 3, "no")))
                .isEqualTo(FailureKind.CONTRACT);
        assertThat(FailureKind.of(new KafkaException("wrapped", new SaslAuthenticationException("x"))))
                .isEqualTo(FailureKind.AUTHENTICATION);
        assertThat(FailureKind.AUTHENTICATION.retryCannotFix()).isTrue();
    }

    @Test
    void everything_else_is_retryable() {
        assertThat(FailureKind.of(new TimeoutException("slow"))).isEqualTo(FailureKind.RETRYABLE);
        assertThat(FailureKind.of(new IllegalStateException("bug"))).isEqualTo(FailureKind.RETRYABLE);
        assertThat(FailureKind.of(new WireFormatException(WireFormatException.Reason.REGISTRY_UNAVAILABLE, 3, "down")))
                .isEqualTo(FailureKind.RETRYABLE);
        assertThat(FailureKind.RETRYABLE.retryCannotFix()).isFalse();
    }
}
