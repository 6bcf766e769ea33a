import type { QueryClient } from '@tanstack/query-core';
import type { Conveyor } from './index.js';

export interface BindOptions {
  /** Which matching queries refetch at once (TanStack's refetchType). Default 'active'. */
  refetchType?: 'active' | 'inactive' | 'all' | 'none';
}

/**
 * Every `invalidate` frame invalidates exactly its keys (prefix matching); a `reset`, a dead-mode round and the
 * visibility recovery invalidate the channel's covering keys. Returns the function that unbinds.
 */
export function bindQueryClient(
  queryClient: Pick<QueryClient, 'invalidateQueries'>,
  conveyor: Pick<Conveyor, 'onInvalidate'>,
  options?: BindOptions,
): () => void;
