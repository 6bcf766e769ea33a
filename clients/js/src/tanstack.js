// @conveyor/client/tanstack: connects a conveyor's invalidations to a TanStack Query QueryClient.
// Uses only the QueryClient passed in (no import of @tanstack/query-core here: it is an optional peer).

/**
 * Every `invalidate` frame invalidates exactly its keys (TanStack prefix matching, active queries refetch); a `reset`
 * (or a dead-mode / visibility recovery) invalidates the channel's covering keys, which the conveyor puts in `keys`.
 * Returns the function that unbinds.
 */
export function bindQueryClient(queryClient, conveyor, options = {}) {
  if (!queryClient || typeof queryClient.invalidateQueries !== 'function') {
    throw new TypeError('bindQueryClient: the first argument must be a QueryClient');
  }
  if (!conveyor || typeof conveyor.onInvalidate !== 'function') {
    throw new TypeError('bindQueryClient: the second argument must be a conveyor (createConveyor)');
  }
  const refetchType = options.refetchType || 'active';
  return conveyor.onInvalidate((keyList) => {
    for (const queryKey of keyList) {
      if (!Array.isArray(queryKey)) continue;
      queryClient.invalidateQueries({ queryKey, refetchType }).catch(() => {});
    }
  });
}
