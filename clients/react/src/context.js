// ConveyorProvider: one conveyor (the @conveyor/client SDK) and one QueryClient for the tree below, bound together so
// that every realtime invalidation (or dead-mode poll) refetches exactly the queries under its keys.
import { createElement, createContext, useContext, useEffect, useMemo, useState } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createConveyor } from '@conveyor/client';
import { bindQueryClient } from '@conveyor/client/tanstack';
import { createLeadStore } from './lead-store.js';

const ConveyorContext = createContext(null);

/**
 * Realtime says when data changed, so nothing needs to go stale on a timer; a query that failed on the network is
 * retried by the SDK itself (twice) before TanStack sees the error, so one more retry here is enough.
 */
export function defaultQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: 1 } } });
}

/**
 * Props: `client` (a conveyor the app created and closes itself) or `options` (createConveyor options: the provider
 * creates the client after mount and closes it on unmount — a new `options` object means a new client, so memoise it);
 * `queryClient` (default: staleTime Infinity); `fallback` rendered until a client exists.
 */
export function ConveyorProvider({ client, options, queryClient, fallback = null, children }) {
  const [owned, setOwned] = useState(null);
  useEffect(() => {
    if (client || !options) return undefined;
    // Created in an effect, not during render: React may render twice (StrictMode) and a client opens sockets/timers.
    const created = createConveyor(options);
    setOwned(created);
    return () => {
      created.close();
      setOwned((current) => (current === created ? null : current));
    };
  }, [client, options]);
  const conveyor = client || owned;
  const [defaultClient] = useState(() => (queryClient ? null : defaultQueryClient()));
  const qc = queryClient || defaultClient;

  useEffect(() => (conveyor ? bindQueryClient(qc, conveyor) : undefined), [qc, conveyor]);

  const [userId, setUserId] = useState(null);
  useEffect(() => {
    setUserId(null);
    if (!conveyor) return undefined;
    let current = true;
    conveyor.userId().then((id) => current && setUserId(id), () => {});
    return () => {
      current = false;
    };
  }, [conveyor]);

  const lead = useMemo(() => (conveyor ? createLeadStore(conveyor) : null), [conveyor]);
  const value = useMemo(() => (conveyor ? { conveyor, userId, lead } : null), [conveyor, userId, lead]);
  const content = value ? createElement(ConveyorContext.Provider, { value }, children) : fallback;
  return createElement(QueryClientProvider, { client: qc }, content);
}

function useContextValue(hook) {
  const value = useContext(ConveyorContext);
  if (!value) throw new Error(`${hook} must be used inside <ConveyorProvider> (after its client exists)`);
  return value;
}

/** The conveyor (SDK client) of the nearest provider: REST calls, subscribe, connection, … */
export function useConveyor() {
  return useContextValue('useConveyor').conveyor;
}

/** The signed-in user's id (the token's `sub`), or null until it is known. */
export function useUserId() {
  return useContextValue('useUserId').userId;
}

/** Internal: the provider's shared lead store. */
export function useLeadStore() {
  return useContextValue('useTaskLead').lead;
}
