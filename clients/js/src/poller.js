// Dead mode: while the socket is down (or realtime is off), GET /v1/changes?channel=&since= per subscribed channel
// every 5 s in a visible tab and 15 s in a hidden one (each +- 1 s), applying its keys as invalidations. When the
// changes endpoint itself cannot be reached (the gateway is down), each tick invalidates the channel's covering keys
// instead (a blind refetch), so caches still converge.
import { keys as keyBuilders, minimalCover } from './keys.js';
import { pollDelay } from './timing.js';

/**
 * @param {object} deps
 * @param {() => boolean} deps.active   whether dead mode should run now (socket not live, client not closed)
 * @param {() => string[]} deps.channels the subscribed channels
 * @param {(channel: string, since?: string) => Promise<{keys: any[][], position: string, reset: boolean}>} deps.changes
 * @param {(keys: any[][], frame: object) => void} deps.emit   delivers an invalidation
 * @param {() => void} deps.onTick      called before each round (the connection shows 'polling')
 * @param {() => void} deps.onGatewayBack  the gateway's server answers again (any HTTP status) after a round that could
 *   not reach it: reconnect the socket now instead of at the end of its backoff
 * @param {(channel: string, continued: boolean) => void} [deps.onAnswer]  a channel answered (continued: from a position, no reset)
 */
export function deadModePoller({ timers, random, options, isVisible, active, channels, changes, positions, emit, onTick, onGatewayBack, onAnswer = () => {} }) {
  let timer = null;
  let running = false;
  let generation = 0;
  let unreachableBefore = false;

  function schedule(delay) {
    if (timer !== null) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = null;
      tick();
    }, delay);
  }

  async function tick() {
    if (!active() || running) return;
    running = true;
    const gen = generation;
    onTick();
    let unreachable = false; // no HTTP answer at all (refused, DNS, offline)
    let reachable = false; // some HTTP answer, even an error: the gateway's server is up
    try {
      await Promise.all(channels().map(async (channel) => {
        let answer;
        const since = positions.get(channel);
        try {
          answer = await changes(channel, since);
        } catch (e) {
          if (e && e.code === 'network') unreachable = true;
          else if (e && e.status > 0) reachable = true;
          if (gen !== generation || !stillSubscribed(channel)) return;
          if (outage(e)) {
            const covering = keyBuilders.covering(channel);
            emit(covering, { type: 'reset', channel, keys: covering, source: 'blind' });
          }
          return;
        }
        reachable = true;
        if (gen !== generation || !stillSubscribed(channel) || !answer) return;
        if (typeof answer.position === 'string') positions.set(channel, answer.position);
        const got = Array.isArray(answer.keys) ? answer.keys : [];
        if (answer.reset) {
          const all = minimalCover([...got, ...keyBuilders.covering(channel)]);
          emit(all, { type: 'reset', channel, keys: all, position: answer.position, source: 'poll' });
        } else if (got.length) {
          emit(got, { type: 'invalidate', channel, keys: got, position: answer.position, source: 'poll' });
        }
        onAnswer(channel, Boolean(since) && !answer.reset);
      }));
    } finally {
      if (gen === generation) running = false;
    }
    if (gen !== generation) return;
    const cameBack = unreachableBefore && reachable;
    unreachableBefore = unreachable && !reachable;
    if (cameBack) onGatewayBack();
    if (active() && timer === null) schedule(pollDelay(isVisible(), random, options));
  }

  function stillSubscribed(channel) {
    return channels().includes(channel);
  }

  return {
    /** Starts dead mode (first round after one interval, or at once). No-op when it already runs. */
    start(immediately = false) {
      if (timer !== null || running) return;
      schedule(immediately ? 0 : pollDelay(isVisible(), random, options));
    },
    /** Runs the next round now (tab became visible, browser came online). */
    now() {
      if (running) return;
      schedule(0);
    },
    stop() {
      generation++;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      running = false;
      unreachableBefore = false;
    },
    get scheduled() {
      return timer !== null || running;
    },
  };
}

/** A failure that means the gateway cannot answer (down, starting, unreachable), as opposed to a refusal (404, 400). */
function outage(e) {
  return !e || e.code === 'network' || (typeof e.status === 'number' && e.status >= 500);
}
