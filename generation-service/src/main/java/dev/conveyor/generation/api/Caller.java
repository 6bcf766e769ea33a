package dev.conveyor.generation.api;

import dev.conveyor.kit.http.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The authenticated user: the token's {@code sub}, which must be a user id (UUID). */
@RequestScoped
public class Caller {
    private final JsonWebToken jwt;

    public Caller(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    public UUID userId() {
        String subject = jwt.getSubject();
        try {
            return UUID.fromString(subject);
        } catch (RuntimeException e) {
            throw ProblemException.invalidSubject();
        }
    }
}
