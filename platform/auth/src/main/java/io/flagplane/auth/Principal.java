package io.flagplane.auth;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import java.util.Map;
import java.util.Optional;

/**
 * Who a token belongs to and what it may do, per environment ({@code "*"}: every environment not
 * named). The actor recorded in every event this principal causes.
 */
public record Principal(String id, ActorKind kind, Map<String, Role> grants) {

    public static final String ANY_ENVIRONMENT = "*";

    public Principal {
        grants = Map.copyOf(grants);
    }

    /** The role in this environment: its own grant, else the wildcard's, else none. */
    public Optional<Role> roleIn(String environment) {
        Role role = grants.get(environment);
        return Optional.ofNullable(role != null ? role : grants.get(ANY_ENVIRONMENT));
    }

    public boolean may(Role needed, String environment) {
        return roleIn(environment).map(r -> r.includes(needed)).orElse(false);
    }

    /** Admin somewhere: may see the token list. */
    public boolean isAdminAnywhere() {
        return grants.values().stream().anyMatch(r -> r == Role.ADMIN);
    }

    public Actor actor() {
        return new Actor(id, kind);
    }
}
