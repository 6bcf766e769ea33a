// Where the SDK runs: page visibility, the browser's online/pagehide events and sessionStorage. Guarded so that
// importing or running in Node (no document, no window) works: there the tab counts as always visible.

const noop = () => {};

/**
 * The environment of this runtime: a browser's (document/window/sessionStorage) when present, otherwise a headless one
 * (always visible, no events, no storage).
 */
export function defaultEnvironment() {
  const doc = typeof document !== 'undefined' ? document : null;
  const win = typeof window !== 'undefined' ? window : null;
  return {
    isVisible: () => !doc || doc.visibilityState !== 'hidden',
    onVisibilityChange: (cb) => listen(doc, 'visibilitychange', cb),
    onOnline: (cb) => listen(win, 'online', cb),
    onPageHide: (cb) => listen(win, 'pagehide', cb),
    onPageShow: (cb) => listen(win, 'pageshow', cb),
    storage: sessionStorageOrNull(),
  };
}

/** A headless environment (Node, workers, tests): always visible, no events, no storage. */
export function headlessEnvironment() {
  return {
    isVisible: () => true,
    onVisibilityChange: () => noop,
    onOnline: () => noop,
    onPageHide: () => noop,
    onPageShow: () => noop,
    storage: null,
  };
}

/** Fills the parts an injected environment left out. */
export function completeEnvironment(env) {
  const base = headlessEnvironment();
  if (!env) return defaultEnvironment();
  return { ...base, ...env };
}

function listen(target, type, cb) {
  if (!target || typeof target.addEventListener !== 'function') return noop;
  target.addEventListener(type, cb);
  return () => target.removeEventListener(type, cb);
}

function sessionStorageOrNull() {
  try {
    // Accessing sessionStorage throws in sandboxed iframes and some privacy modes.
    return typeof sessionStorage !== 'undefined' ? sessionStorage : null;
  } catch {
    return null;
  }
}

/** JSON get/set on a Storage-like object, never throwing (quota, privacy mode). */
export function storageGet(storage, key) {
  if (!storage) return null;
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

export function storageSet(storage, key, value) {
  if (!storage) return;
  try {
    storage.setItem(key, value);
  } catch {
    // full or forbidden: memory still has it
  }
}
