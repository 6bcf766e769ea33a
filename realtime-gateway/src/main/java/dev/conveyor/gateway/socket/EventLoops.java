package dev.conveyor.gateway.socket;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Loop} per Vert.x event loop thread, shared by all its connections: the change log hands each event over
 * once per Loop instance, so connections on the same thread must get the same one.
 */
@ApplicationScoped
public class EventLoops {
    private final Vertx vertx;
    private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();

    public EventLoops(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The loop of the calling connection's context. */
    public Loop current() {
        Context context = Vertx.currentContext();
        if (!(context instanceof ContextInternal internal)) {
            return new ContextLoop(null, vertx, null);
        }
        EventLoop eventLoop = internal.nettyEventLoop();
        return loops.computeIfAbsent(eventLoop, el -> new ContextLoop(internal.unwrap(), vertx, el));
    }
}
