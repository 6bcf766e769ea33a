package dev.conveyor.gateway.session;

import dev.conveyor.gateway.kafka.ChangeLog;
import java.time.Instant;
import java.util.UUID;

/** What a session needs from the gateway around it (the registry bean, or a test harness). */
public interface SessionHost {

    /** A verified caller. */
    record Identity(UUID user, Instant expiresAt) {}

    /** A token that is missing, invalid, expired ({@code FORBIDDEN == false}) or lacks the user role ({@code true}). */
    final class AuthException extends Exception {
        final boolean forbidden;

        public AuthException(String message, boolean forbidden) {
            super(message);
            this.forbidden = forbidden;
        }
    }

    Identity authenticate(String token) throws AuthException;

    /** Counts the connection against the user's limit; false when the user is at the limit. */
    boolean admit(Session session, UUID user);

    ChangeLog changeLog();

    SessionLimits limits();

    void frameSent(String type);

    void delivered(Instant occurredAt);

    void subscriptions(int delta);
}
