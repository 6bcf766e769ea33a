package dev.conveyor.gateway;

import dev.conveyor.devstack.DevstackResource;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Shared setup of the tests that talk to the gateway as a client does while producing the platform's events: the
 * event producer, open for the class's tests, and a user's access token.
 */
abstract class EventProducingTest {
    static TestEvents events;

    @BeforeAll
    static void producer() {
        events = new TestEvents();
    }

    @AfterAll
    static void closeProducer() {
        events.close();
    }

    /** A valid access token of {@code user} with the user role. */
    static String token(UUID user) {
        return DevstackResource.keys().token(user, List.of("user"), Duration.ofMinutes(10));
    }
}
