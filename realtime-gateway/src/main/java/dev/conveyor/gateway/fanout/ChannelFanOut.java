package dev.conveyor.gateway.fanout;

import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The subscribers of one channel and how an event reaches them: handed once to each loop that has subscribers of the
 * channel (not once per connection), and on that loop to each subscriber in turn. Not thread-safe: every method runs
 * under the channel's lock ({@link ChannelHistory.ChannelState}), so a subscribe/resume never misses an event.
 */
final class ChannelFanOut {
    private static final Logger LOG = Logger.getLogger(ChannelFanOut.class);

    /** One attach: who, from which position, and whether it still holds (hand-offs already queued check it). */
    private static final class Subscription {
        final Subscriber subscriber;
        final Position cursor;
        volatile boolean active = true;

        Subscription(Subscriber subscriber, Position cursor) {
            this.subscriber = subscriber;
            this.cursor = cursor;
        }

        /** False for an event at or before the position the attach already covered (replayed or skipped). */
        boolean wants(TopicPart part, long offset) {
            Long at = cursor.offsets().get(part);
            return active && (at == null || offset >= at);
        }
    }

    /** The subscribers of the channel on one loop, as a snapshot taken under the channel's lock. */
    private record LoopGroup(Executor loop, Subscription[] subscriptions) {}

    /** The channel's lock (its {@link ChannelHistory.ChannelState}): every method here is called holding it. */
    private final Object lock;

    private final Map<Subscriber, Subscription> subscribers = new LinkedHashMap<>();
    /** Subscribers grouped by loop; rebuilt on the next event after an attach or a detach. */
    private List<LoopGroup> groups;

    ChannelFanOut(Object lock) {
        this.lock = lock;
    }

    boolean isEmpty() {
        return subscribers.isEmpty();
    }

    /** Adds (or replaces) a subscription from {@code cursor}; a replaced one stops receiving what is already queued. */
    void add(Subscriber subscriber, Position cursor) {
        Subscription previous = subscribers.put(subscriber, new Subscription(subscriber, cursor));
        if (previous != null) {
            previous.active = false;
        }
        groups = null;
    }

    void remove(Subscriber subscriber) {
        Subscription gone = subscribers.remove(subscriber);
        if (gone != null) {
            gone.active = false;
            groups = null;
        }
    }

    /**
     * The project changed owner (null: deleted): everyone else loses the channel at once (no hand-off delivers to them
     * any more) and is told so on its own loop, after the hand-offs already queued there: a connection's frames are
     * all written on its loop, none on the consumer thread.
     */
    void revokeAllBut(Channel channel, UUID newOwner) {
        var it = subscribers.values().iterator();
        while (it.hasNext()) {
            Subscription subscription = it.next();
            if (!subscription.subscriber.user().equals(newOwner)) {
                it.remove();
                subscription.active = false;
                groups = null;
                revoked(subscription.subscriber, channel);
            }
        }
    }

    private void revoked(Subscriber subscriber, Channel channel) {
        Executor loop = subscriber.loop();
        if (loop == null) {
            subscriber.onRevoked(channel);
            return;
        }
        try {
            loop.execute(() -> {
                synchronized (lock) {
                    // subscribed again meanwhile (allowed by the owner of then): that is not the subscription revoked
                    if (!subscribers.containsKey(subscriber)) {
                        subscriber.onRevoked(channel);
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf(e, "hand-off of the revocation of %s to a loop failed", channel);
        }
    }

    /** Hands the event at {@code part:offset} once to each loop (subscribers without a loop: on this thread). */
    void publish(ChannelChange change, TopicPart part, long offset) {
        for (LoopGroup group : groups()) {
            if (group.loop() == null) {
                deliver(group.subscriptions(), change, part, offset);
            } else {
                try {
                    group.loop().execute(() -> deliver(group.subscriptions(), change, part, offset));
                } catch (RuntimeException e) {
                    LOG.warnf(e, "hand-off of %s to a loop failed", change.channel());
                }
            }
        }
    }

    private List<LoopGroup> groups() {
        List<LoopGroup> current = groups;
        if (current == null) {
            Map<Executor, List<Subscription>> byLoop = new LinkedHashMap<>();
            List<Subscription> direct = new ArrayList<>();
            for (Subscription subscription : subscribers.values()) {
                Executor loop = subscription.subscriber.loop();
                (loop == null ? direct : byLoop.computeIfAbsent(loop, l -> new ArrayList<>())).add(subscription);
            }
            current = new ArrayList<>(byLoop.size() + 1);
            if (!direct.isEmpty()) {
                current.add(new LoopGroup(null, direct.toArray(Subscription[]::new)));
            }
            for (Map.Entry<Executor, List<Subscription>> entry : byLoop.entrySet()) {
                current.add(new LoopGroup(entry.getKey(), entry.getValue().toArray(Subscription[]::new)));
            }
            groups = current;
        }
        return current;
    }

    /** Runs on the subscribers' loop (or the consumer thread): one event to each subscriber that still wants it. */
    private static void deliver(Subscription[] subscriptions, ChannelChange change, TopicPart part, long offset) {
        for (Subscription subscription : subscriptions) {
            if (!subscription.wants(part, offset)) {
                continue; // detached since, or already replayed to (or skipped by) this subscriber
            }
            try {
                subscription.subscriber.onChange(change);
            } catch (RuntimeException e) {
                LOG.warnf(e, "subscriber of %s failed", change.channel());
            }
        }
    }
}
