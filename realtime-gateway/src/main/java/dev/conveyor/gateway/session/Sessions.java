package dev.conveyor.gateway.session;

import dev.conveyor.gateway.config.GatewayConfig;
import dev.conveyor.gateway.kafka.ChangeLog;
import dev.conveyor.gateway.kafka.ChangeLogService;
import dev.conveyor.gateway.socket.EventLoops;
import dev.conveyor.gateway.socket.SocketOutbound;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every open connection of this replica: the registry, the per-user limit, the periodic sweep (auth deadline, token
 * expiry, idle, slow consumers) and the drain on shutdown; the {@link SessionHost} its sessions talk to. Token checks,
 * metrics and the Vert.x adapters are their own classes ({@link TokenCheck}, {@link GatewayMetrics},
 * {@link EventLoops}, {@link SocketOutbound}).
 */
@ApplicationScoped
public class Sessions implements SessionHost {
    private static final Logger LOG = Logger.getLogger(Sessions.class);

    private final ChangeLogService changeLogService;
    private final TokenCheck tokenCheck;
    private final GatewayMetrics metrics;
    private final EventLoops loops;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final SessionLimits limits;
    private final ConnectionsPerUser perUser;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile boolean draining;
    private long sweepTimer = -1;

    public Sessions(
            ChangeLogService changeLogService,
            TokenCheck tokenCheck,
            GatewayMetrics metrics,
            EventLoops loops,
            GatewayConfig config,
            Vertx vertx) {
        this.changeLogService = changeLogService;
        this.tokenCheck = tokenCheck;
        this.metrics = metrics;
        this.loops = loops;
        this.config = config;
        this.vertx = vertx;
        GatewayConfig.Connection c = config.connection();
        this.limits = new SessionLimits(
                config.coalesceWindow(),
                c.outboundQueue(),
                c.outboundBytes(),
                c.maxPendingKeys(),
                c.slowConsumerTimeout(),
                c.maxSubscriptions(),
                c.maxBadFrames(),
                c.ownershipWait());
        this.perUser = new ConnectionsPerUser(c.maxPerUser());
        metrics.connections(sessions);
    }

    void onStart(@Observes StartupEvent event) {
        sweepTimer = vertx.setPeriodic(1000, id -> sweep());
    }

    /**
     * First thing on SIGTERM: every client is told to reconnect elsewhere (1012) and resume. This must run in the
     * shutdown delay (quarkus.shutdown.delay-enabled), before the graceful phase: that phase waits up to
     * quarkus.shutdown.timeout for open requests, and open WebSockets count, so a drain on ShutdownEvent would come
     * after the timeout, with every socket already cut without a close code.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    /** Fallback for a shutdown without the delay phase (e.g. Quarkus.asyncExit in tests): drain what is left. */
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        if (!draining) {
            drain();
        }
    }

    public void drain() {
        draining = true;
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        List<Session> all = new ArrayList<>(sessions.values());
        LOG.infof("draining %d connections with 1012 (service restart)", all.size());
        for (Session session : all) {
            session.close(CloseCodes.SERVICE_RESTART, "service restart: reconnect and resume");
        }
    }

    /** Test hook for drain(): accept connections again. */
    void undrain() {
        draining = false;
        sweepTimer = vertx.setPeriodic(1000, id -> sweep());
    }

    private void sweep() {
        long now = System.nanoTime();
        long auth = config.connection().authTimeout().toNanos();
        long idle = config.connection().idleTimeout().toNanos();
        for (Session session : sessions.values()) {
            try {
                session.sweep(now, auth, idle);
            } catch (RuntimeException e) {
                LOG.warnf(e, "sweep of connection %s failed", session.id());
            }
        }
    }

    // ---------------------------------------------------------------- connection events

    public Session opened(WebSocketConnection connection, String token) {
        Session session = new Session(connection.id(), SocketOutbound.of(connection), loops.current(), this);
        if (draining) {
            session.close(CloseCodes.SERVICE_RESTART, "service restart: reconnect elsewhere");
            return session;
        }
        sessions.put(connection.id(), session);
        session.open(token);
        return session;
    }

    public Session find(WebSocketConnection connection) {
        return sessions.get(connection.id());
    }

    public void closedConnection(WebSocketConnection connection) {
        Session session = sessions.remove(connection.id());
        if (session == null) {
            return;
        }
        session.closed();
        if (session.admitted() && session.user() != null) {
            perUser.release(session.user());
        }
    }

    /** Open connections whose frames are written straight to their Vert.x socket (all of them, unless unreachable). */
    int directConnections() {
        return (int) sessions.values().stream()
                .filter(s -> SocketOutbound.isDirect(s.outbound()))
                .count();
    }

    public int connectionCount() {
        return sessions.size();
    }

    public Set<String> connectionIds() {
        return Set.copyOf(sessions.keySet());
    }

    // ---------------------------------------------------------------- SessionHost

    @Override
    public Identity authenticate(String token) throws AuthException {
        return tokenCheck.verify(token);
    }

    @Override
    public boolean admit(Session session, UUID user) {
        return perUser.admit(user);
    }

    @Override
    public ChangeLog changeLog() {
        return changeLogService.changeLog();
    }

    @Override
    public SessionLimits limits() {
        return limits;
    }

    @Override
    public void frameSent(String type) {
        metrics.frameSent(type);
    }

    @Override
    public void delivered(Instant occurredAt) {
        metrics.delivered(occurredAt);
    }

    @Override
    public void subscriptions(int delta) {
        metrics.subscriptions(delta);
    }
}
