package io.flagplane.projection.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The audit log's page cursor: an audit-store key, opaque to clients (base64url). */
public final class AuditCursor {

    private AuditCursor() {
    }

    public static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws QueryException (400) for anything that is not a cursor this service gave out */
    public static String decode(String cursor, String field) {
        try {
            String position = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (position.length() < 14 || position.charAt(13) != '#' || !position.substring(0, 13).chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not a position");
            }
            return position;
        } catch (IllegalArgumentException e) {
            throw QueryException.badParameter(field, "\"" + field + "\" is not a cursor this service gave out; "
                    + "pass the nextCursor of the previous page as it came");
        }
    }
}
