// useTaskLead and <TaskProcessor>: one tab per user runs browser-side task processors (docs/client.md#lead).
import { useSyncExternalStore } from 'react';
import { useLeadStore } from './context.js';

/** `{isLeader, clientId}` of this tab; asks for the lead while a component using it is mounted. */
export function useTaskLead() {
  const store = useLeadStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

/** Renders `children` only in the leading tab (else `fallback`, default nothing). */
export function TaskProcessor({ children, fallback = null }) {
  const { isLeader } = useTaskLead();
  return isLeader ? children : fallback;
}
