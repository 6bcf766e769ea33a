// The seeds' numbers, and the pure rules that use them (unit-tested in test/unit/timing.test.js).

export const DEFAULTS = Object.freeze({
  backoffBaseMs: 1000, // first retry within 1 s
  backoffCapMs: 30000, // never more than 30 s apart
  pollVisibleMs: 5000, // dead mode, visible tab
  pollHiddenMs: 15000, // dead mode, hidden tab
  pollJitterMs: 1000, // +- on every dead-mode interval
  pingIntervalMs: 20000, // application ping
  stallTimeoutMs: 10000, // no frame this long after a ping: the socket is dead
  connectTimeoutMs: 15000, // no welcome this long after starting to connect: give the attempt up
  leadIntervalMs: 5000, // POST /v1/task-lead
  leadLeaseMs: 6000, // the server's lease
  stableMs: 10000, // a connection live this long resets the backoff
});

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)). attempt counts from 0. */
export function backoffDelay(attempt, random = Math.random, baseMs = DEFAULTS.backoffBaseMs, capMs = DEFAULTS.backoffCapMs) {
  const n = Math.max(0, Math.floor(attempt));
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(n, 30));
  return Math.floor(random() * ceiling);
}

/** The next dead-mode poll: 5 s visible / 15 s hidden, each +- 1 s, uniform. */
export function pollDelay(visible, random = Math.random, options = DEFAULTS) {
  const base = visible ? options.pollVisibleMs : options.pollHiddenMs;
  const jitter = options.pollJitterMs;
  return Math.max(0, Math.round(base + (random() * 2 - 1) * jitter));
}
