package dev.conveyor.gateway.socket;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** A {@link Loop} on a Vert.x context (or, without one, on any Vert.x context via {@code runOnContext}). */
final class ContextLoop implements Loop {
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
