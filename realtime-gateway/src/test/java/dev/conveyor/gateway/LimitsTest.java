package dev.conveyor.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.session.SessionsTestAccess;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Liveness and limits, with the test profile's settings: 3 connections per user, auth 1 s, idle 2 s, pings every 500 ms. */
@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class LimitsTest {

    @Inject
    Vertx vertx;

    @Inject
    SessionsTestAccess sessions;

    @TestHTTPResource("/")
    URI base;

    static String token(UUID user) {
        return DevstackResource.keys().token(user, List.of("user"), Duration.ofMinutes(10));
    }

    @Test
    void aUsersFourthConnectionIsClosedWith4429AndAFreedSlotCanBeReused() {
        UUID user = UUID.randomUUID();
        try (WsClient first = WsClient.authenticated(vertx, base, token(user));
                WsClient second = WsClient.authenticated(vertx, base, token(user));
                WsClient third = WsClient.authenticated(vertx, base, token(user))) {
            try (WsClient fourth = WsClient.connect(vertx, base, token(user))) {
                assertThat(fourth.awaitClose()).isEqualTo((short) 4429);
            }
            // another user is not affected
            try (WsClient other = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
                assertThat(other.isClosed()).isFalse();
            }
            first.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (WsClient again = WsClient.connect(vertx, base, token(user))) {
                    again.awaitFrame("welcome");
                }
            });
            assertThat(second.isClosed()).isFalse();
            assertThat(third.isClosed()).isFalse();
        }
    }

    @Test
    void aClientThatNeverAnswersPingsIsClosedWith4000() throws Exception {
        try (RawSocket silent = new RawSocket(base, token(UUID.randomUUID()))) {
            assertThat(silent.awaitCloseCode()).isEqualTo(4000);
        }
    }

    @Test
    void aMessageOver64KiBClosesWith1009WhetherItCameInOneFrameOrMany() {
        String big = "{\"type\":\"ping\",\"id\":\"" + "x".repeat(70 * 1024) + "\"}";
        // the client's default 64 KiB frames: the message arrives fragmented and overflows the server's message limit
        try (WsClient fragmented = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
            fragmented.send(big);
            assertThat(fragmented.awaitClose()).isEqualTo((short) 1009);
        }
        // one 70 KiB frame: over the server's frame limit
        try (WsClient single = WsClient.connect(
                vertx,
                base,
                token(UUID.randomUUID()),
                new io.vertx.core.http.WebSocketClientOptions()
                        .setMaxFrameSize(1 << 20)
                        .setMaxMessageSize(1 << 20))) {
            single.awaitFrame("welcome");
            single.send(big);
            assertThat(single.awaitClose()).isEqualTo((short) 1009);
        }
        // a 60 KiB message is fine
        try (WsClient fine = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
            fine.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(60 * 1024) + "\"}");
            fine.awaitFrame("pong");
        }
    }

    @Test
    void refusedSubscribesCountAsBadFramesAndCloseTheConnectionWith4400() {
        try (WsClient ws = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
            // max-bad-frames is 20: the 21st refusal closes
            for (int i = 0; i < 21; i++) {
                ws.send(java.util.Map.of("type", "subscribe", "channel", "user:" + UUID.randomUUID()));
            }
            assertThat(ws.awaitClose()).isEqualTo((short) 4400);
            assertThat(ws.ofType("error"))
                    .hasSize(20)
                    .allMatch(f -> f.get("code").asText().equals("forbidden"));
        }
    }

    @Test
    void aConnectionThatNeverAuthenticatesIsClosedWith4401() {
        try (WsClient anonymous = WsClient.connect(vertx, base, null)) {
            assertThat(anonymous.awaitClose()).isEqualTo((short) 4401);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysOpenPastTheIdleTimeout() {
        try (WsClient quiet = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> !quiet.isClosed());
        }
    }

    @Test
    void onShutdownEveryClientIsToldToReconnectElsewhereWith1012() {
        try (WsClient a = WsClient.authenticated(vertx, base, token(UUID.randomUUID()));
                WsClient b = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
            a.subscribe("user:" + a.awaitFrame("welcome").get("userId").asText());
            sessions.drain();
            try {
                assertThat(a.awaitClose()).isEqualTo((short) 1012);
                assertThat(b.awaitClose()).isEqualTo((short) 1012);
                try (WsClient late = WsClient.connect(vertx, base, token(UUID.randomUUID()))) {
                    assertThat(late.awaitClose()).isEqualTo((short) 1012);
                }
            } finally {
                sessions.undrain();
            }
        }
    }
}
