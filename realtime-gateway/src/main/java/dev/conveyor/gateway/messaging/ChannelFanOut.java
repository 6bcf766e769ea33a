package dev.conveyor.gateway.messaging;

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
        final ChangeLog.Subscriber subscriber;
        final Position cursor;
        volatile boolean active = true;

        Subscription(ChangeLog.Subscriber subscriber, Position cursor) {
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

    private final Map<ChangeLog.Subscriber, Subscription> subscribers = new LinkedHashMap<>();
    /** Subscribers grouped by loop; rebuilt on the next event after an attach or a detach. */
    private List<LoopGroup> groups;

    boolean isEmpty() {
        return subscribers.isEmpty();
    }

    /** Adds (or replaces) a subscription from {@code cursor}; a replaced one stops receiving what is already queued. */
    void add(ChangeLog.Subscriber subscriber, Position cursor) {
        Subscription previous = subscribers.put(subscriber, new Subscription(subscriber, cursor));
        if (previous != null) {
            previous.active = false;
        }
        groups = null;
    }

    void remove(ChangeLog.Subscriber subscriber) {
        Subscription gone = subscribers.remove(subscriber);
        if (gone != null) {
            gone.active = false;
            groups = null;
        }
    }

    /** The project changed owner (null: deleted): everyone else loses the channel and is told so. */
    void revokeAllBut(Channel channel, UUID newOwner) {
        var it = subscribers.values().iterator();
        while (it.hasNext()) {
            Subscription subscription = it.next();
            if (!subscription.subscriber.user().equals(newOwner)) {
                it.remove();
                subscription.active = false;
                groups = null;
                subscription.subscriber.onRevoked(channel);
            }
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
