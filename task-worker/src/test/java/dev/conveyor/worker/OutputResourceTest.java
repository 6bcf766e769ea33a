package dev.conveyor.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.worker.output.OutputStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class)
class OutputResourceTest {
    @Inject
    OutputStore store;

    @Test
    void aStoredFileIsServedAtTheUrlPutAnswered() {
        String key = UUID.randomUUID() + "/image.png";
        String url = store.put(key, new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png")
                .await()
                .indefinitely();
        assertThat(url).endsWith("/v1/outputs/" + key);

        byte[] body = given().when()
                .get("/v1/outputs/" + key)
                .then()
                .statusCode(200)
                .contentType("image/png")
                .extract()
                .asByteArray();
        assertThat(body).containsExactly((byte) 0x89, 'P', 'N', 'G');
    }

    @Test
    void aMissingFileIsA404Problem() {
        given().when()
                .get("/v1/outputs/" + UUID.randomUUID() + "/none.png")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("code", is("not_found"))
                .body("status", is(404));
    }

    @Test
    void aKeyThatTriesToLeaveTheStoreIsRefused() throws Exception {
        java.nio.file.Path secret = java.nio.file.Path.of("target/secret-" + UUID.randomUUID() + ".txt");
        java.nio.file.Files.writeString(secret, "root:secret");
        // an encoded "../" inside the key decodes to a key the store refuses
        given().urlEncodingEnabled(false)
                .when()
                .get("/v1/outputs/..%2F" + secret.getFileName())
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", is("invalid_output_key"));
        // dot segments are resolved by the HTTP server before routing: they never get above the store either
        String body = given().urlEncodingEnabled(false)
                .when()
                .get("/v1/outputs/a/%2e%2e/%2e%2e/" + secret.getFileName())
                .then()
                .statusCode(org.hamcrest.Matchers.oneOf(400, 404))
                .extract()
                .asString();
        assertThat(body).doesNotContain("root:secret");
        given().urlEncodingEnabled(false)
                .when()
                .get("/v1/outputs/a%20b/x.png")
                .then()
                .statusCode(400)
                .body("code", is("invalid_output_key"));
    }
}
