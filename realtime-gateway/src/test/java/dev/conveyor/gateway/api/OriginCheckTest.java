package dev.conveyor.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The upgrade's Origin decision on its own (the Quarkus CORS filter may refuse some of these before it runs). */
class OriginCheckTest {
    private final OriginCheck check = new OriginCheck(List.of("https://app.example.com", "http://localhost:8083/"));

    @Test
    void noOriginAListedOriginAndTheServersOwnOriginAreAllowed() {
        assertThat(check.permits(null, "gw.example.com", true)).isTrue();
        assertThat(check.permits("https://app.example.com", "gw.example.com", true))
                .isTrue();
        assertThat(check.permits("https://APP.example.com:443", "gw.example.com", true))
                .isTrue();
        assertThat(check.permits("http://localhost:8083", "gw.example.com", true))
                .isTrue();
        assertThat(check.permits("https://gw.example.com", "gw.example.com", true))
                .isTrue();
        assertThat(check.permits("http://127.0.0.1:9000", "127.0.0.1:9000", false))
                .isTrue();
    }

    @Test
    void anyOtherBrowserOriginIsRefused() {
        for (String origin : List.of(
                "https://evil.example",
                "null",
                "http://app.example.com",
                "https://app.example.com:8443",
                "https://app.example.com.evil.example",
                "http://localhost:8084",
                "",
                "https://gw.example.com")) {
            assertThat(check.permits(origin, "other.example.com", true))
                    .as(origin)
                    .isFalse();
        }
        // same host, other scheme: not the server's own origin
        assertThat(check.permits("http://gw.example.com", "gw.example.com", true))
                .isFalse();
    }

    @Test
    void quarkusWildcardAndRegexFormsWorkAsForCors() {
        assertThat(new OriginCheck(List.of("*")).permits("https://anything.example", "gw", false))
                .isTrue();
        OriginCheck regex = new OriginCheck(List.of("/https://[a-z]+\\.example\\.com/"));
        assertThat(regex.permits("https://preview.example.com", "gw", false)).isTrue();
        assertThat(regex.permits("https://preview.example.org", "gw", false)).isFalse();
    }
}
