// The per-tab lead (one client of a user runs task processors): POST /v1/task-lead every 5 s (the server's lease is
// 6 s), paused while the tab is hidden, released on pagehide / stop(), and re-asked at once when a `lead.changed`
// invalidation (["task-lead", userId]) arrives on the user channel, so a lost lead ends at once instead of at the
// next poll, and a released one is taken over at once.

/**
 * The state machine, without any network or DOM of its own.
 * @param {object} deps
 * @param {string} deps.clientId
 * @param {(clientId: string) => Promise<{leader: boolean, leaderClientId?: string, expiresAt?: string}>} deps.take
 * @param {(clientId: string, options: {keepalive: boolean}) => Promise<unknown>} deps.release
 * @param {{setTimeout: Function, clearTimeout: Function, now: () => number}} deps.timers
 * @param {{leadIntervalMs: number, leadLeaseMs: number}} deps.options
 * @param {() => boolean} deps.isVisible
 */
export function leadMachine({ clientId, take, release, timers, options, isVisible, onLead, onLose, onError }) {
  let leader = false;
  let leaderClientId = null;
  let stopped = false;
  let paused = !isVisible();
  let inFlight = null;
  let again = false;
  let pollTimer = null;
  let expiryTimer = null;

  function setLeader(value) {
    if (leader === value) return;
    leader = value;
    try {
      if (value) onLead && onLead();
      else onLose && onLose();
    } catch (e) {
      onError(e);
    }
  }

  function clear() {
    if (pollTimer !== null) timers.clearTimeout(pollTimer);
    pollTimer = null;
  }

  function schedule(delay) {
    clear();
    if (stopped || paused) return;
    pollTimer = timers.setTimeout(() => {
      pollTimer = null;
      poll();
    }, Math.max(0, delay));
  }

  function armExpiry(at) {
    if (expiryTimer !== null) timers.clearTimeout(expiryTimer);
    expiryTimer = timers.setTimeout(() => {
      expiryTimer = null;
      if (!stopped) setLeader(false);
    }, Math.max(0, at - timers.now()));
  }

  function poll() {
    if (stopped || paused) return;
    if (inFlight) {
      again = true;
      return;
    }
    clear();
    const sentAt = timers.now();
    inFlight = Promise.resolve()
      .then(() => take(clientId))
      .then((answer) => {
        if (stopped || !answer) return;
        leaderClientId = answer.leaderClientId ?? null;
        if (answer.leader) {
          armExpiry(sentAt + options.leadLeaseMs); // our lease, counted from when we asked
          setLeader(true);
        } else {
          if (expiryTimer !== null) timers.clearTimeout(expiryTimer);
          expiryTimer = null;
          setLeader(false);
        }
      }, (e) => {
        if (!stopped) onError(e); // a failed ask keeps the lead until its lease runs out locally
      })
      .finally(() => {
        inFlight = null;
        if (stopped) return;
        if (again) {
          again = false;
          poll();
        } else {
          schedule(sentAt + options.leadIntervalMs - timers.now());
        }
      });
  }

  poll();

  return {
    isLeader: () => leader,
    clientId,
    get leaderClientId() {
      return leaderClientId;
    },
    /** Ask again now (a `lead.changed` arrived). */
    poke() {
      if (!stopped && !paused) poll();
    },
    /** The tab became hidden (pause: the lease lapses) or visible (ask at once). */
    visibility(visible) {
      if (stopped) return;
      if (!visible) {
        paused = true;
        clear();
      } else if (paused) {
        paused = false;
        poll();
      }
    },
    /** pagehide: give the lead up at once (keepalive request), pause until pageshow. */
    pageHide() {
      if (stopped) return;
      paused = true;
      clear();
      const wasLeader = leader;
      setLeader(false);
      if (wasLeader) release(clientId, { keepalive: true }).catch(onError);
    },
    pageShow() {
      if (stopped || !isVisible()) return;
      paused = false;
      poll();
    },
    /** Stops asking and releases the lead (after any ask in flight, so the release comes last). */
    async stop() {
      if (stopped) return;
      stopped = true;
      clear();
      if (expiryTimer !== null) timers.clearTimeout(expiryTimer);
      expiryTimer = null;
      const pending = inFlight;
      setLeader(false);
      if (pending) await pending.catch(() => {});
      try {
        await release(clientId, { keepalive: false });
      } catch (e) {
        onError(e);
      }
    },
  };
}
