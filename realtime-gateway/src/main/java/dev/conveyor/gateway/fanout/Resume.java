package dev.conveyor.gateway.fanout;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Position;
import java.util.List;

/** The answer to a resume: the keys missed since the position, or a reset (history does not reach back). */
public record Resume(Position position, List<CacheKey> keys, boolean reset) {}
