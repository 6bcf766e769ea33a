package dev.conveyor.kit.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

class TokenCacheTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    private final MovableClock clock = new MovableClock(NOW);

    @Test
    void aVerifiedTokenIsReturnedUntilItsExpiry() {
        TokenCache cache = new TokenCache(10, clock);
        JsonWebToken token = expiringAt(NOW.plusSeconds(60));
        cache.put("a", token);

        assertThat(cache.get("a")).isSameAs(token);
        clock.now = NOW.plusSeconds(59);
        assertThat(cache.get("a")).isSameAs(token);
        clock.now = NOW.plusSeconds(60);
        assertThat(cache.get("a")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void anUnknownTokenIsNotFound() {
        TokenCache cache = new TokenCache(10, clock);
        cache.put("a", expiringAt(NOW.plusSeconds(60)));

        assertThat(cache.get("b")).isNull();
    }

    @Test
    void aTokenWithoutExpiryOrAlreadyExpiredIsNeverRemembered() {
        TokenCache cache = new TokenCache(10, clock);
        cache.put("no-exp", expiringAtEpochSecond(0));
        cache.put("expired", expiringAt(NOW.minusSeconds(1)));

        assertThat(cache.get("no-exp")).isNull();
        assertThat(cache.get("expired")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aFullCacheDropsExpiredTokensFirst() {
        TokenCache cache = new TokenCache(2, clock);
        cache.put("short", expiringAt(NOW.plusSeconds(5)));
        JsonWebToken long1 = expiringAt(NOW.plusSeconds(600));
        cache.put("long", long1);
        clock.now = NOW.plusSeconds(10);

        JsonWebToken fresh = expiringAt(NOW.plusSeconds(600));
        cache.put("fresh", fresh);

        assertThat(cache.get("long")).isSameAs(long1);
        assertThat(cache.get("fresh")).isSameAs(fresh);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aFullCacheOfLiveTokensStartsAgainRatherThanGrowing() {
        TokenCache cache = new TokenCache(2, clock);
        cache.put("a", expiringAt(NOW.plusSeconds(600)));
        cache.put("b", expiringAt(NOW.plusSeconds(600)));

        JsonWebToken c = expiringAt(NOW.plusSeconds(600));
        cache.put("c", c);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get("c")).isSameAs(c);
        assertThat(cache.get("a")).isNull();
    }

    private static JsonWebToken expiringAt(Instant exp) {
        return expiringAtEpochSecond(exp.getEpochSecond());
    }

    private static JsonWebToken expiringAtEpochSecond(long exp) {
        Map<String, Object> claims = Map.of("exp", exp);
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "user";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claimName) {
                return (T) claims.get(claimName);
            }
        };
    }

    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
