package dev.conveyor.taskapi;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (tag "bench", run on demand): CPU per bearer-token check, smallrye-jwt's RS256 verification
 * against service-kit's VerifiedTokens answering a token it verified before.
 * {@code ./mvnw -B -o -pl task-api verify -Dtest=TokenVerificationBench -Dbench.excluded=none
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("bench")
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class TokenVerificationBench {
    private static final int ROUNDS = 5;
    private static final int PARSES = 20_000;

    @Inject
    JWTParser cached;

    @Inject
    JWTAuthContextInfo authContext;

    @Test
    void cpuPerTokenCheck() throws ParseException {
        JWTParser verifying = new DefaultJWTParser(authContext);
        String token = Fixtures.token(UUID.randomUUID(), "user");
        for (int round = 1; round <= ROUNDS; round++) {
            double verifyMicros = cpuMicrosPerParse(verifying, token);
            double cachedMicros = cpuMicrosPerParse(cached, token);
            System.out.printf(
                    "token check round %d: RS256 verification %.1f µs CPU, verified before %.2f µs CPU%n",
                    round, verifyMicros, cachedMicros);
        }
    }

    private static double cpuMicrosPerParse(JWTParser parser, String token) throws ParseException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < PARSES; i++) {
            parser.parse(token);
        }
        return (threads.getCurrentThreadCpuTime() - start) / 1000.0 / PARSES;
    }
}
