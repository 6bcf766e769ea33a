package dev.conveyor.kit.auth;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

/**
 * Loads the token verification key while the service starts instead of on the first authenticated request.
 * smallrye-jwt resolves {@code mp.jwt.verify.publickey.location} (file read, PEM parsing, class loading) lazily inside
 * its first {@code parse}, which Quarkus runs on a Vert.x event loop: on a loaded machine that blocked the loop for 2–11
 * s. Parsing a well-formed but unsigned token makes the parser build (and keep) its key resolver, then refuse the token.
 * A service without smallrye-jwt (the worker) has no {@link JWTParser} and skips this.
 */
@ApplicationScoped
public class VerificationKeyWarmup {
    private static final Logger LOG = Logger.getLogger(VerificationKeyWarmup.class);

    /** Header {"alg":"RS256","typ":"JWT"}, claims {}, an empty signature: three parts, never valid. */
    static final String UNSIGNED_TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.";

    void onStart(@Observes StartupEvent event, Instance<JWTParser> parsers) {
        if (parsers.isResolvable()) {
            warm(parsers.get());
        }
    }

    /** Runs one refused parse through {@code parser}; answers whether it was refused as expected. */
    static boolean warm(JWTParser parser) {
        try {
            parser.parse(UNSIGNED_TOKEN);
            LOG.warn("the verification key warm-up token was accepted; it never should be");
            return false;
        } catch (ParseException expected) {
            return true;
        } catch (RuntimeException e) {
            // Whatever went wrong here happens again, and is reported, on the first real request.
            LOG.debugf(e, "verification key warm-up failed");
            return false;
        }
    }
}
