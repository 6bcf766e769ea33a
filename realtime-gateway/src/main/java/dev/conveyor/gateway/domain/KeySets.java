package dev.conveyor.gateway.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/** Set operations on cache keys. */
public final class KeySets {
    /**
     * A frame that would carry more than this many keys under one covering key of its channel (e.g. nine
     * {@code ["task",id]} keys) carries the covering key ({@code ["task"]}) instead.
     */
    public static final int FOLD_ABOVE = 8;

    private KeySets() {}

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

    /**
     * The minimal covering set of {@code keys}, where more than {@link #FOLD_ABOVE} keys under one of the
     * {@code folds} (a channel's covering keys) are replaced by that key: a smaller frame that still drops every
     * changed query.
     */
    public static List<CacheKey> cover(Collection<CacheKey> keys, List<CacheKey> folds) {
        List<CacheKey> cover = minimalCover(keys);
        boolean folded = false;
        for (CacheKey fold : folds) {
            int under = 0;
            for (CacheKey key : cover) {
                if (fold.covers(key) && !fold.equals(key)) {
                    under++;
                }
            }
            if (under > FOLD_ABOVE) {
                cover.removeIf(fold::covers);
                cover.add(fold);
                folded = true;
            }
        }
        return folded ? minimalCover(cover) : cover;
    }
}
