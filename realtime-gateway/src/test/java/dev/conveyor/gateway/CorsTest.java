package dev.conveyor.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A web app on another origin uses the gateway from the browser: CORS on GET /v1/changes and the Origin check of the
 * WebSocket upgrade, both from CORS_ORIGINS (default: the local dashboard's origins, http://localhost:8083 among them).
 */
@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class CorsTest extends EventProducingTest {
    static final String APP = "http://localhost:8083";
    static final String FOREIGN = "https://evil.example";

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URI base;

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredAndTheChangesCallCarriesTheAllowOrigin() {
        Response preflight = given().header("Origin", APP)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .when()
                .options("/v1/changes");
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("GET");
        assertThat(preflight.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");

        UUID user = UUID.randomUUID();
        await().atMost(Duration.ofSeconds(30)).until(() -> changes(user, APP).statusCode() == 200);
        Response answer = changes(user, APP);
        assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(answer.jsonPath().getString("position")).startsWith("account-events:");
    }

    @Test
    void aForeignOriginGetsNoCorsAllowance() {
        Response preflight = given().header("Origin", FOREIGN)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .when()
                .options("/v1/changes");
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        Response answer = changes(UUID.randomUUID(), FOREIGN);
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void theWebSocketUpgradeAcceptsAnAllowedOriginAndClientsWithoutOneAndRefusesAForeignOrigin() throws Exception {
        try (WsClient app = WsClient.connectFrom(vertx, base, token(UUID.randomUUID()), APP)) {
            app.awaitFrame("welcome");
        }
        try (WsClient cli = WsClient.connectFrom(vertx, base, token(UUID.randomUUID()), null)) {
            cli.awaitFrame("welcome");
        }
        // the gateway's own origin (the dashboard it serves) is always allowed
        try (WsClient own = WsClient.connectFrom(
                vertx, base, token(UUID.randomUUID()), "http://" + base.getHost() + ":" + base.getPort())) {
            own.awaitFrame("welcome");
        }
        for (String origin :
                new String[] {FOREIGN, "null", "http://localhost:8084", "http://localhost:8083.evil.example"}) {
            assertThatThrownBy(() -> WsClient.connectFrom(vertx, base, token(UUID.randomUUID()), origin))
                    .as(origin)
                    .isInstanceOfSatisfying(
                            WsClient.UpgradeRefused.class,
                            e -> assertThat(e.status).isEqualTo(403));
        }
    }

    private static Response changes(UUID user, String origin) {
        return given().auth()
                .oauth2(token(user))
                .header("Origin", origin)
                .queryParam("channel", "user:" + user)
                .when()
                .get("/v1/changes");
    }
}
