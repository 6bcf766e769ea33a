package dev.conveyor.gateway.api;

import dev.conveyor.gateway.config.GatewayConfig;
import dev.conveyor.gateway.messaging.ChangeLog;
import dev.conveyor.gateway.messaging.ChangeLogService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.impl.ContextInternal;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Every open connection of this replica, their limits, metrics, periodic checks and the drain on shutdown. */
@ApplicationScoped
public class Sessions implements SessionHost {
    private static final Logger LOG = Logger.getLogger(Sessions.class);
    private static final List<String> FRAME_TYPES = List.of("invalidate", "reset", "subscribed", "unsubscribed", "welcome", "pong", "error");

    private final ChangeLogService changeLogService;
    private final JWTParser jwtParser;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final SessionLimits limits;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Map<String, Counter> frames = new ConcurrentHashMap<>();
    private final Timer fanout;
    private volatile boolean draining;
    private long sweepTimer = -1;

    public Sessions(ChangeLogService changeLogService, JWTParser jwtParser, GatewayConfig config, Vertx vertx, MeterRegistry registry) {
        this.changeLogService = changeLogService;
        this.jwtParser = jwtParser;
        this.config = config;
        this.vertx = vertx;
        GatewayConfig.Connection c = config.connection();
        this.limits = new SessionLimits(config.coalesceWindow(), c.outboundQueue(), c.outboundBytes(), c.maxPendingKeys(),
                c.slowConsumerTimeout(), c.maxSubscriptions(), c.maxBadFrames(), c.ownershipWait());
        Gauge.builder("gateway.connections", sessions, Map::size).description("open WebSocket connections").register(registry);
        Gauge.builder("gateway.subscriptions", subscriptions, AtomicInteger::get).description("channel subscriptions").register(registry);
        for (String type : FRAME_TYPES) {
            frames.put(type, Counter.builder("gateway.frames").tag("type", type).description("frames written to clients").register(registry));
        }
        this.fanout = Timer.builder("gateway.fanout.latency").description("event occurredAt -> invalidate frame written to the socket")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        ChangeLog log = changeLogService.changeLog();
        Gauge.builder("gateway.consumer.lag", log, ChangeLog::lag).description("records behind the end of the partitions").register(registry);
        Gauge.builder("gateway.history.channels", log, ChangeLog::channelCount).register(registry);
        FunctionCounter.builder("gateway.events", log, ChangeLog::events).description("events consumed").register(registry);
        FunctionCounter.builder("gateway.events.unreadable", log, ChangeLog::poisonEvents).register(registry);
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

    Session opened(WebSocketConnection connection, String token) {
        Session session = new Session(connection.id(), outbound(connection), loopOf(Vertx.currentContext()), this);
        if (draining) {
            session.close(CloseCodes.SERVICE_RESTART, "service restart: reconnect elsewhere");
            return session;
        }
        sessions.put(connection.id(), session);
        session.open(token);
        return session;
    }

    Session find(WebSocketConnection connection) {
        return sessions.get(connection.id());
    }

    void closedConnection(WebSocketConnection connection) {
        Session session = sessions.remove(connection.id());
        if (session == null) {
            return;
        }
        session.closed();
        if (session.admitted() && session.user() != null) {
            AtomicInteger count = perUser.get(session.user());
            if (count != null && count.decrementAndGet() <= 0) {
                perUser.remove(session.user(), count);
            }
        }
    }

    /** Open connections whose frames are written straight to their Vert.x socket (all of them, unless unreachable). */
    int directConnections() {
        return (int) sessions.values().stream().filter(s -> s.outbound() instanceof DirectOutbound).count();
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
        JsonWebToken jwt;
        try {
            jwt = jwtParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new AuthException("invalid or expired token", false);
        }
        UUID user;
        try {
            user = UUID.fromString(jwt.getSubject());
        } catch (RuntimeException e) {
            throw new AuthException("the token's subject is not a user id", false);
        }
        if (jwt.getGroups() == null || !jwt.getGroups().contains("user")) {
            throw new AuthException("the token has no user role", true);
        }
        Instant expires = jwt.getExpirationTime() > 0 ? Instant.ofEpochSecond(jwt.getExpirationTime()) : null;
        return new Identity(user, expires);
    }

    @Override
    public boolean admit(Session session, UUID user) {
        AtomicInteger count = perUser.computeIfAbsent(user, u -> new AtomicInteger());
        while (true) {
            int now = count.get();
            if (now >= config.connection().maxPerUser()) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                return true;
            }
        }
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
        Counter counter = frames.get(type);
        if (counter != null) {
            counter.increment();
        }
    }

    @Override
    public void delivered(Instant occurredAt) {
        long micros = java.time.temporal.ChronoUnit.MICROS.between(occurredAt, Instant.now());
        fanout.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
    }

    @Override
    public void subscriptions(int delta) {
        subscriptions.addAndGet(delta);
    }

    // ---------------------------------------------------------------- Vert.x adapters

    /** One Loop per event loop thread, shared by all its connections (the change log hands events over per loop). */
    private Loop loopOf(Context context) {
        if (!(context instanceof ContextInternal internal)) {
            return new ContextLoop(null, vertx, null);
        }
        EventLoop eventLoop = internal.nettyEventLoop();
        return loops.computeIfAbsent(eventLoop, el -> new ContextLoop(internal.unwrap(), vertx, el));
    }

    private Outbound outbound(WebSocketConnection connection) {
        ServerWebSocket socket = DirectSocket.of(connection);
        return socket == null ? new ConnectionOutbound(connection) : new DirectOutbound(connection, socket);
    }

    /** Through websockets-next: one Uni and one UTF-8 encoding per send. The fallback if the socket is not reachable. */
    private record ConnectionOutbound(WebSocketConnection connection) implements Outbound {
        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            connection.sendText(frame).subscribe().with(ok -> written.run(), error -> failed.run());
        }

        @Override
        public void close(int code, String reason) {
            closeConnection(connection, code, reason);
        }
    }

    /**
     * Straight to the connection's Vert.x socket: the pre-encoded bytes of a frame (shared by every subscriber of an
     * event) go out as one final text frame, with no Uni and no re-encoding per send.
     */
    private record DirectOutbound(WebSocketConnection connection, ServerWebSocket socket) implements Outbound {
        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            send(TextFrame.of(frame), written, failed);
        }

        @Override
        public void send(TextFrame frame, Runnable written, Runnable failed) {
            socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.payload(), true), result -> {
                if (result.succeeded()) {
                    written.run();
                } else {
                    failed.run();
                }
            });
        }

        @Override
        public void close(int code, String reason) {
            closeConnection(connection, code, reason);
        }
    }

    private static void closeConnection(WebSocketConnection connection, int code, String reason) {
        Uni<Void> closing = connection.isOpen() ? connection.close(new CloseReason(code, reason)) : Uni.createFrom().voidItem();
        closing.subscribe().with(ok -> { }, error -> LOG.debugf("close of %s failed: %s", connection.id(), error));
    }

    private static final class ContextLoop implements Loop {
        private final Context context;
        private final Vertx vertx;
        private final EventLoop eventLoop;

        ContextLoop(Context context, Vertx vertx, EventLoop eventLoop) {
            this.context = context;
            this.vertx = vertx;
            this.eventLoop = eventLoop;
        }

        @Override
        public void execute(Runnable task) {
            if (context == null) {
                vertx.runOnContext(v -> task.run());
            } else {
                context.runOnContext(v -> task.run());
            }
        }

        @Override
        public void schedule(long delayMillis, Runnable task) {
            execute(() -> vertx.setTimer(delayMillis, id -> task.run()));
        }

        @Override
        public boolean inLoop() {
            return eventLoop != null && eventLoop.inEventLoop();
        }
    }

}
