package dev.conveyor.gateway.session;

import jakarta.enterprise.context.ApplicationScoped;

/** Lets tests trigger the shutdown drain without stopping the application. */
@ApplicationScoped
public class SessionsTestAccess {
    private final Sessions sessions;

    public SessionsTestAccess(Sessions sessions) {
        this.sessions = sessions;
    }

    public void drain() {
        sessions.drain();
    }

    public int connections() {
        return sessions.connectionCount();
    }

    public int directConnections() {
        return sessions.directConnections();
    }

    public void undrain() {
        sessions.undrain();
    }
}
