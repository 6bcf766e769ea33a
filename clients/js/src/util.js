// Small helpers with no state.

/** A random v4 UUID: crypto.randomUUID where available (secure contexts, Node), else getRandomValues, else random. */
export function uuid(random = Math.random) {
  const c = typeof globalThis !== 'undefined' ? globalThis.crypto : undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The payload of a JWT (no signature check: only to read `sub` and `exp`); null when it is not one. */
export function jwtPayload(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length < 2) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** A set of listeners: add returns its remover; emit calls each, and one that throws does not stop the others. */
export function listeners(onListenerError) {
  const set = new Set();
  return {
    add(fn) {
      if (typeof fn !== 'function') throw new TypeError('listener must be a function');
      const entry = { fn };
      set.add(entry);
      return () => set.delete(entry);
    },
    emit(...args) {
      for (const entry of [...set]) {
        try {
          entry.fn(...args);
        } catch (e) {
          if (onListenerError) onListenerError(e);
        }
      }
    },
    get size() {
      return set.size;
    },
    clear() {
      set.clear();
    },
  };
}

/** Default timers bound to the global object (so a caller can pass `{setTimeout, clearTimeout, now}` in tests). */
export function defaultTimers() {
  return {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (id) => clearTimeout(id),
    now: () => Date.now(),
  };
}

export function reportError(e) {
  if (typeof console !== 'undefined' && console.error) console.error('[conveyor]', e);
}

/** One pending timeout per name: set replaces, clear cancels. */
export function namedTimers(timers) {
  const ids = new Map();
  return {
    set(name, fn, ms) {
      this.clear(name);
      ids.set(name, timers.setTimeout(() => {
        ids.delete(name);
        fn();
      }, ms));
    },
    has: (name) => ids.has(name),
    clear(...names) {
      for (const name of names) {
        if (ids.has(name)) timers.clearTimeout(ids.get(name));
        ids.delete(name);
      }
    },
    clearAll() {
      this.clear(...ids.keys());
    },
  };
}
