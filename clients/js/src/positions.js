// The latest position per channel (from subscribed / invalidate / reset frames and /v1/changes answers), in memory
// and, in a browser, in sessionStorage so a reloaded tab resumes where it was.
import { storageGet, storageSet } from './environment.js';

export function positionStore(storage, storageKey) {
  const map = new Map();
  const saved = storageGet(storage, storageKey);
  if (saved) {
    try {
      const parsed = JSON.parse(saved);
      if (parsed && typeof parsed === 'object') {
        for (const [channel, position] of Object.entries(parsed)) {
          if (typeof position === 'string' && position) map.set(channel, position);
        }
      }
    } catch {
      // a damaged entry: start without
    }
  }
  return {
    get: (channel) => map.get(channel),
    set(channel, position) {
      if (typeof channel !== 'string' || typeof position !== 'string' || !position) return;
      if (map.get(channel) === position) return;
      map.set(channel, position);
      storageSet(storage, storageKey, JSON.stringify(Object.fromEntries(map)));
    },
    entries: () => [...map.entries()],
  };
}
