package dev.conveyor.gateway.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/** Set operations on cache keys. */
public final class KeySets {
    private KeySets() {
    }

    /**
     * The minimal covering set: duplicates removed, and every key that another key of the set prefixes dropped.
     * Order: shorter keys first, then first-seen order, so the result is deterministic.
     */
    public static List<CacheKey> minimalCover(Collection<CacheKey> keys) {
        List<CacheKey> unique = new ArrayList<>(new LinkedHashSet<>(keys));
        unique.sort(Comparator.comparingInt(k -> k.parts().size()));
        List<CacheKey> cover = new ArrayList<>(unique.size());
        for (CacheKey key : unique) {
            boolean covered = false;
            for (CacheKey kept : cover) {
                if (kept.covers(key)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                cover.add(key);
            }
        }
        return cover;
    }
}
