package dev.conveyor.gateway.session;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.KeySets;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.fanout.ChannelChange;
import dev.conveyor.gateway.socket.TextFrame;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one channel has collected for a connection and not yet sent: its keys (folded under covering keys, or a reset
 * once even that is too many), the latest position and the oldest event's time. While it holds a single change, that
 * change's frame is written as is: rendered once and shared by every connection; a run of several is rendered once
 * for every connection that collected the same run ({@link ChannelChange#coalescedFrame}). Guarded by the session's
 * monitor.
 */
final class PendingChange {
    private final Set<CacheKey> keys = new LinkedHashSet<>();
    private Position position;
    private Instant oldest;
    private boolean reset;
    /** The run collected: its first and last change (the same one while it is a single change). */
    private ChannelChange first;

    private ChannelChange last;

    private int changes;

    void add(ChannelChange change, int maxPendingKeys) {
        Channel channel = change.channel();
        if (!reset) {
            keys.addAll(change.keys());
            if (keys.size() > maxPendingKeys) {
                // many keys under one covering key (a burst of tasks) fold into it; reset only if that is not enough
                List<CacheKey> folded = KeySets.cover(keys, channel.allKeys());
                keys.clear();
                if (folded.size() > maxPendingKeys) {
                    reset = true;
                } else {
                    keys.addAll(folded);
                }
            }
        }
        position = change.position();
        if (first == null) {
            first = change;
        }
        last = change;
        changes++;
        if (oldest == null || change.occurredAt().isBefore(oldest)) {
            oldest = change.occurredAt();
        }
    }

    /** Renders and writes the frame: a reset, the shared frame of a single change, or one coalesced invalidation. */
    void writeTo(OutboundWriter writer, Channel channel) {
        if (reset) {
            writer.send("reset", TextFrame.of(Frames.reset(channel, position)), null);
        } else if (changes == 1) {
            ChannelChange only = first;
            TextFrame shared = only.frame(() -> TextFrame.of(Frames.invalidate(
                    only.channel(), KeySets.cover(only.keys(), only.channel().allKeys()), only.position())));
            writer.send("invalidate", shared, oldest);
        } else {
            TextFrame shared = last.coalescedFrame(
                    first,
                    changes,
                    () -> TextFrame.of(Frames.invalidate(channel, KeySets.cover(keys, channel.allKeys()), position)));
            writer.send("invalidate", shared, oldest);
        }
    }
}
