package io.flagplane.auth;

import java.util.Locale;
import java.util.Optional;

/** What a token may do in an environment; each role includes the ones below it. */
public enum Role {
    /** Read flags and segments. */
    VIEWER,
    /** Change flags and segments. */
    EDITOR,
    /** Everything, including token management. */
    ADMIN;

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    public static Optional<Role> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
