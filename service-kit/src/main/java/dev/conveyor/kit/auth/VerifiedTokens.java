package dev.conveyor.kit.auth;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import java.time.Clock;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies a bearer token once and reuses the verified token until it expires, for every caller of {@link JWTParser}
 * (Quarkus' HTTP authentication and the gateway's WebSocket token check). A client sends the same token on every
 * request; checking its RS256 signature and claims each time cost task-api about a tenth of its CPU per request.
 *
 * <p>Only a token that the wrapped parser accepted is remembered, keyed by its exact text, and only while its {@code
 * exp} lies ahead: a later request with an expired token goes to the wrapped parser again, which applies its own grace
 * period and refuses it. Services without smallrye-jwt never see this class (it is a decorator of a bean they lack).
 */
@Decorator
@Priority(1)
public abstract class VerifiedTokens implements JWTParser {
    private final JWTParser verifier;
    private final TokenCache cache;

    @Inject
    VerifiedTokens(@Delegate JWTParser verifier) {
        this.verifier = verifier;
        this.cache = new TokenCache(TokenCache.DEFAULT_CAPACITY, Clock.systemUTC());
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = cache.get(token);
        if (known != null) {
            return known;
        }
        JsonWebToken verified = verifier.parse(token);
        cache.put(token, verified);
        return verified;
    }
}
