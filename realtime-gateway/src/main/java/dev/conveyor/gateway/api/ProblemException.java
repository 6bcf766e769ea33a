package dev.conveyor.gateway.api;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Thrown by resources for a client error; answered as application/problem+json. */
public class ProblemException extends RuntimeException {
    private final Problem problem;

    public ProblemException(int status, String code, String title, String detail) {
        super(detail, null, false, false);
        this.problem = Problem.of(status, code, title, detail);
    }

    public Problem problem() {
        return problem;
    }

    static class Mapper {
        @ServerExceptionMapper
        public Response map(ProblemException e) {
            return Response.status(e.problem.status()).type("application/problem+json").entity(e.problem).build();
        }
    }
}
