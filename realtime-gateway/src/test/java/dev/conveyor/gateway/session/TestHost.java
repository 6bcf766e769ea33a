package dev.conveyor.gateway.session;

import dev.conveyor.gateway.kafka.ChangeLog;
import java.time.Instant;
import java.util.UUID;

/**
 * A session host for tests that drive {@link Session}s directly on a real change log: one user, fixed limits,
 * every connection admitted, metrics ignored. {@code token == null} accepts any token.
 */
final class TestHost implements SessionHost {
    private final ChangeLog changeLog;
    private final UUID user;
    private final SessionLimits limits;
    private final String token;

    TestHost(ChangeLog changeLog, UUID user, SessionLimits limits, String token) {
        this.changeLog = changeLog;
        this.user = user;
        this.limits = limits;
        this.token = token;
    }

    @Override
    public Identity authenticate(String presented) throws AuthException {
        if (token != null && !token.equals(presented)) {
            throw new AuthException("bad", false);
        }
        return new Identity(user, Instant.now().plusSeconds(600));
    }

    @Override
    public boolean admit(Session session, UUID user) {
        return true;
    }

    @Override
    public ChangeLog changeLog() {
        return changeLog;
    }

    @Override
    public SessionLimits limits() {
        return limits;
    }

    @Override
    public void frameSent(String type) {}

    @Override
    public void delivered(Instant occurredAt) {}

    @Override
    public void subscriptions(int delta) {}
}
