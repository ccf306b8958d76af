package io.flagplane.ruleset;

import io.flagplane.wire.WireFormatException;
import org.apache.avro.AvroTypeException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * What kind of failure stopped the ruleset tail, so that those who report on it (the OpenFeature
 * provider's FATAL versus ERROR) can tell what a restart may fix from what it cannot. The tail
 * restarts after every kind (a credential can be rotated, an ACL granted, a client upgraded
 * while it waits); only the report differs.
 */
public enum FailureKind {
    /** Anything a retry may fix: a broker restarting, a network partition, a bug that may not recur. */
    RETRYABLE,
    /** Kafka rejected the credential (SASL/SSL authentication failed). */
    AUTHENTICATION,
    /** Kafka refused an operation the credential is not allowed (an ACL: topic, group or cluster authorization). */
    AUTHORIZATION,
    /** The records are written in a contract this reader cannot read (a writer's schema it cannot resolve). */
    CONTRACT;

    /** True when retrying with the same configuration and the same code cannot succeed. */
    public boolean retryCannotFix() {
        return this != RETRYABLE;
    }

    /** The kind of {@code failure}, from it and its causes. */
    public static FailureKind of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                return AUTHENTICATION;
            }
            if (t instanceof AuthorizationException) {
                return AUTHORIZATION;
            }
            if (t instanceof AvroTypeException
                    || t instanceof WireFormatException w && w.reason() == WireFormatException.Reason.INCOMPATIBLE_SCHEMA) {
                return CONTRACT;
            }
        }
        return RETRYABLE;
    }

    /** A sentence for status pages and provider events: what went wrong, and what would fix it. */
    public String describe() {
        return switch (this) {
            case RETRYABLE -> "an unexpected failure; retrying";
            case AUTHENTICATION -> "Kafka rejected the credential; fix the client's security settings";
            case AUTHORIZATION -> "Kafka refused access to the flag topics; grant the credential read on them";
            case CONTRACT -> "the flag records are in a contract this client cannot read; upgrade the client";
        };
    }
}
