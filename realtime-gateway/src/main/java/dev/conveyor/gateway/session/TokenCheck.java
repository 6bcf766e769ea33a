package dev.conveyor.gateway.session;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies a WebSocket's access token (query parameter or auth frame) by hand: the socket is already open, so the
 * answer is a close code (4401 / 4403), not an HTTP status from Quarkus' security layer.
 */
@ApplicationScoped
public class TokenCheck {
    private final JWTParser jwtParser;

    public TokenCheck(JWTParser jwtParser) {
        this.jwtParser = jwtParser;
    }

    /** The token's user and expiry; refused when invalid or expired, without a user id, or without the user role. */
    SessionHost.Identity verify(String token) throws SessionHost.AuthException {
        JsonWebToken jwt;
        try {
            jwt = jwtParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new SessionHost.AuthException("invalid or expired token", false);
        }
        UUID user;
        try {
            user = UUID.fromString(jwt.getSubject());
        } catch (RuntimeException e) {
            throw new SessionHost.AuthException("the token's subject is not a user id", false);
        }
        if (jwt.getGroups() == null || !jwt.getGroups().contains("user")) {
            throw new SessionHost.AuthException("the token has no user role", true);
        }
        Instant expires = jwt.getExpirationTime() > 0 ? Instant.ofEpochSecond(jwt.getExpirationTime()) : null;
        return new SessionHost.Identity(user, expires);
    }
}
