package dev.conveyor.taskapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** service-kit's VerifiedTokens in a real service: a token is verified once, and a bad one is still refused. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class TokenVerificationTest {

    @Inject
    JWTParser parser;

    @Test
    void theSameTokenIsVerifiedOnceAndReused() throws ParseException {
        String token = Fixtures.token(UUID.randomUUID(), "user");

        JsonWebToken first = parser.parse(token);
        JsonWebToken second = parser.parse(token);

        assertThat(second).isSameAs(first);
        given().header("Authorization", "Bearer " + token)
                .get("/v1/account")
                .then()
                .statusCode(200);
    }

    @Test
    void aTokenWithAnotherSignatureIsRefusedAfterTheGenuineOneWasAccepted() throws ParseException {
        String token = Fixtures.token(UUID.randomUUID(), "user");
        parser.parse(token);
        String forged =
                token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);

        assertThatThrownBy(() -> parser.parse(forged)).isInstanceOf(ParseException.class);
        given().header("Authorization", "Bearer " + forged)
                .get("/v1/account")
                .then()
                .statusCode(401);
    }

    @Test
    void anExpiredTokenIsRefused() {
        String expired = DevstackResource.keys()
                .token(
                        UUID.randomUUID().toString(),
                        List.of("user"),
                        Instant.now().minus(Duration.ofHours(2)),
                        Duration.ofMinutes(10));

        assertThatThrownBy(() -> parser.parse(expired)).isInstanceOf(ParseException.class);
        given().header("Authorization", "Bearer " + expired)
                .get("/v1/account")
                .then()
                .statusCode(401);
    }
}
