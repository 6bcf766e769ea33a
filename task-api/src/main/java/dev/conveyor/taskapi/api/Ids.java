package dev.conveyor.taskapi.api;

import dev.conveyor.kit.http.ProblemException;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Parsing ids from paths and the caller's id from the token. */
final class Ids {
    private Ids() {}

    static UUID parse(String value, String what) {
        try {
            if (value == null || value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid_id", what + " must be a UUID");
        }
    }

    /** The caller's user id: the token's {@code sub}, which must be a UUID. */
    static UUID user(JsonWebToken jwt) {
        String sub = jwt == null ? null : jwt.getSubject();
        try {
            return UUID.fromString(sub);
        } catch (RuntimeException e) {
            throw ProblemException.invalidSubject();
        }
    }
}
