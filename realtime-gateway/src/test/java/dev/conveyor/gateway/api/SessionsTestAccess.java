package dev.conveyor.gateway.api;

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

    public void undrain() {
        sessions.undrain();
    }
}
