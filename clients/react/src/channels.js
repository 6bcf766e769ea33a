// Channel subscriptions and derived invalidations: a query is live only while its channel is subscribed, and the
// SDK reference-counts subscriptions, so every hook simply subscribes what it shows while it is mounted.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useConveyor } from './context.js';

/** Keeps `channel` (`project:<id>` / `user:<id>`) subscribed while mounted; null/undefined subscribes nothing. */
export function useChannel(channel) {
  const conveyor = useConveyor();
  useEffect(() => (channel ? conveyor.subscribe(channel) : undefined), [conveyor, channel]);
}

/** `project:<id>` while mounted (nothing for a falsy id). */
export function useProjectChannel(projectId) {
  useChannel(projectId ? `project:${projectId}` : null);
}

/** 'connecting' | 'live' | 'reconnecting' | 'polling' | 'closed', re-rendering on every change. */
export function useConnectionState() {
  const conveyor = useConveyor();
  const read = () => conveyor.connection.state;
  return useSyncExternalStore(conveyor.connection.subscribe, read, read);
}

/**
 * For queries the gateway has no key of its own for (later task pages, the pending tasks): when an invalidation
 * carries a key that `matches`, `queryKey` is invalidated too. `matches` may change every render (read through a ref).
 */
export function useDerivedInvalidation(queryKey, matches, enabled = true) {
  const conveyor = useConveyor();
  const queryClient = useQueryClient();
  const matchesRef = useRef(matches);
  matchesRef.current = matches;
  const serialized = JSON.stringify(queryKey);
  useEffect(() => {
    if (!enabled) return undefined;
    const key = JSON.parse(serialized);
    return conveyor.onInvalidate((keyList) => {
      if (keyList.some((k) => Array.isArray(k) && matchesRef.current(k))) {
        queryClient.invalidateQueries({ queryKey: key }).catch(() => {});
      }
    });
  }, [conveyor, queryClient, serialized, enabled]);
}
