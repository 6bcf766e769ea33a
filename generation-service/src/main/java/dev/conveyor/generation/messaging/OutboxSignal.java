package dev.conveyor.generation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

/** Wakes the outbox relay right after a transaction that appended events commits (else it polls). */
@ApplicationScoped
public class OutboxSignal {
    private final Outbox outbox;

    public OutboxSignal(Outbox outbox) {
        this.outbox = outbox;
    }

    public void wake() {
        outbox.relay().nudge();
    }
}
