// One WebSocket per client: reference-counted channel subscriptions, resume from each channel's last position,
// reconnect with backoff (full jitter), stall detection, a fresh token on every connect, and dead-mode polling while
// the socket is down. Frames become invalidations for onInvalidate listeners.
import { ConveyorError } from './errors.js';
import { keys as keyBuilders, minimalCover, parseChannel } from './keys.js';
import { deadModePoller } from './poller.js';
import { positionStore } from './positions.js';
import { backoffDelay } from './timing.js';
import { listeners, namedTimers } from './util.js';

const noop = () => {};

export function createRealtime({ storageKey, wsUrl, tokens, WebSocketImpl, realtime, changes, env, timers, random, options, onError }) {
  const frames = listeners(onError);
  const invalidations = listeners(onError);
  const stateListeners = listeners(onError);
  const ready = listeners(onError);
  const counts = new Map();
  const positions = positionStore(env.storage, storageKey);
  const envOff = [];
  let state = realtime ? 'connecting' : 'polling';
  let started = false;
  let closed = false;
  let socket = null;
  let socketGen = 0;
  let attempting = false;
  let live = false;
  let liveSince = 0;
  let attempt = 0;
  let authRetried = false;
  const timer = namedTimers(timers); // 'reconnect', 'connect', 'ping', 'stall', 'subscribe <channel>'
  const refusals = new Map(); // '<code> <channel>' -> refused subscribes in a row
  let pingId = 0;

  const poller = deadModePoller({
    timers, random, options, positions, changes,
    isVisible: () => env.isVisible(),
    active: () => started && !closed && !live,
    channels: () => [...counts.keys()],
    emit,
    onTick: () => setState('polling'),
    onGatewayBack: () => reconnectNow(),
    onAnswer: (channel, continued) => ready.emit(channel, continued),
  });

  function setState(next) {
    if (state === next || (state === 'closed' && next !== 'closed')) return;
    state = next;
    stateListeners.emit(next);
  }

  function emit(keyList, frame) {
    if (!Array.isArray(keyList) || keyList.length === 0) return;
    invalidations.emit(keyList, frame);
  }

  function start() {
    if (started || closed) return;
    started = true;
    envOff.push(env.onVisibilityChange(onVisibility), env.onOnline(onOnline), env.onPageShow(onPageShow));
    if (realtime) connect();
    else poller.start(true);
  }

  async function connect() {
    if (closed || !realtime) return;
    timer.clear('reconnect');
    const gen = ++socketGen;
    attempting = true;
    let token;
    try {
      token = await tokens.fresh();
    } catch (e) {
      if (gen === socketGen && !closed) {
        onError(e);
        lost(0);
      }
      return;
    }
    if (gen !== socketGen || closed) return;
    let ws;
    try {
      ws = new WebSocketImpl(wsUrl);
    } catch (e) {
      onError(e);
      lost(0);
      return;
    }
    socket = ws;
    // a server that accepts the connection but never welcomes it (shutting down, overloaded) must not hold us
    timer.set('connect', () => {
      if (gen === socketGen && !live) lost(4000);
    }, options.connectTimeoutMs);
    ws.onopen = () => {
      if (gen === socketGen) send(ws, { type: 'auth', token });
    };
    ws.onmessage = (event) => {
      if (gen === socketGen) onMessage(event.data);
    };
    ws.onclose = (event) => {
      if (gen === socketGen) lost(event.code);
    };
    ws.onerror = noop; // a close event follows
  }

  function onMessage(data) {
    let frame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    timer.clear('stall');
    const { type, channel } = frame;
    if (channel && typeof frame.position === 'string' && (type === 'subscribed' || type === 'invalidate' || type === 'reset')) {
      positions.set(channel, frame.position);
    }
    frames.emit(frame);
    if (type === 'welcome') goLive();
    else if (type === 'subscribed') {
      refusals.delete(`forbidden ${channel}`);
      refusals.delete(`unavailable ${channel}`);
      ready.emit(channel, frame.recovered === true);
    }
    else if (type === 'invalidate') emit(frame.keys, frame);
    else if (type === 'reset') emit(minimalCover([...(frame.keys || []), ...keyBuilders.covering(channel)]), frame);
    else if (type === 'error' && channel && counts.has(channel)) retrySubscribe(channel, frame.code);
  }

  /**
   * A refused subscribe: `unavailable` (the gateway is still reading Kafka) is retried until it works; `forbidden` a
   * few times (a project created a moment ago may not have reached the gateway yet), then left refused.
   */
  function retrySubscribe(channel, code) {
    if (code !== 'forbidden' && code !== 'unavailable') return;
    const key = `${code} ${channel}`;
    const tries = refusals.get(key) || 0;
    if (code === 'forbidden' && tries >= 3) return;
    refusals.set(key, tries + 1);
    const gen = socketGen;
    timer.set(`subscribe ${channel}`, () => {
      if (live && gen === socketGen && counts.has(channel)) subscribeFrame(channel);
    }, 500 + backoffDelay(Math.min(tries, 3), random, options.backoffBaseMs, options.backoffCapMs));
  }

  function goLive() {
    timer.clear('connect');
    live = true;
    attempting = false;
    authRetried = false;
    liveSince = timers.now();
    poller.stop();
    setState('live');
    for (const channel of counts.keys()) subscribeFrame(channel);
    schedulePing();
  }

  /** The socket is gone (closed, failed, stalled): dead mode and a reconnect with backoff. */
  function lost(code) {
    const wasLive = live;
    const old = socket;
    socketGen++;
    socket = null;
    live = false;
    attempting = false;
    timer.clear('ping', 'stall', 'connect');
    if (old) {
      old.onopen = old.onmessage = old.onclose = noop;
      try {
        if (old.readyState === 0 || old.readyState === 1) old.close(4000, 'client reconnects');
      } catch {
        // already closing
      }
    }
    if (closed) return;
    if (wasLive && timers.now() - liveSince >= options.stableMs) attempt = 0;
    if (code === 4403) {
      onError(new ConveyorError({ status: 403, code: 'forbidden', title: 'Realtime refused', detail: 'the token has no user role' }));
      shutdown();
      return;
    }
    let delay;
    if (code === 4401 && !authRetried) {
      authRetried = true; // a fresh token, at once
      delay = 0;
    } else if (code === 1012) {
      delay = backoffDelay(0, random, options.backoffBaseMs, options.backoffCapMs);
    } else {
      delay = backoffDelay(attempt++, random, options.backoffBaseMs, options.backoffCapMs);
    }
    if (state !== 'polling') setState('reconnecting');
    poller.start(false);
    timer.set('reconnect', connect, delay);
  }

  function schedulePing() {
    timer.set('ping', () => {
      if (!live || !socket) return;
      send(socket, { type: 'ping', id: String(++pingId) });
      if (!timer.has('stall')) {
        timer.set('stall', () => {
          if (live) lost(4000);
        }, options.stallTimeoutMs);
      }
      schedulePing();
    }, options.pingIntervalMs);
  }

  function send(ws, frame) {
    try {
      if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
    } catch {
      // the close event will follow
    }
  }

  function subscribeFrame(channel) {
    const frame = { type: 'subscribe', channel };
    const since = positions.get(channel);
    if (since) frame.since = since;
    send(socket, frame);
  }

  function reconnectNow() {
    if (closed || !realtime || live || attempting || !started) return;
    connect();
  }

  function recoverFromDeadMode() {
    for (const channel of counts.keys()) {
      const covering = keyBuilders.covering(channel);
      emit(covering, { type: 'reset', channel, keys: covering, source: 'visibility' });
    }
  }

  function onVisibility() {
    if (closed || !started || !env.isVisible()) return;
    if (!realtime) {
      poller.now();
      return;
    }
    if (state === 'polling') recoverFromDeadMode();
    reconnectNow();
  }

  function onOnline() {
    if (closed || !started) return;
    if (realtime) reconnectNow();
    if (!live && poller.scheduled) poller.now();
  }

  function onPageShow(event) {
    if (event && event.persisted) reconnectNow();
  }

  function shutdown() {
    closed = true;
    poller.stop();
    timer.clearAll();
    for (const off of envOff.splice(0)) off();
    if (socket) {
      const ws = socket;
      socket = null;
      socketGen++;
      ws.onopen = ws.onmessage = ws.onclose = noop;
      try {
        ws.close(1000, 'client closed');
      } catch {
        // nothing to do
      }
    }
    live = false;
    setState('closed');
  }

  return {
    subscribe(channel) {
      if (!parseChannel(channel)) throw new TypeError(`not a channel: ${channel} (project:<id> or user:<id>)`);
      if (closed) return noop;
      const n = counts.get(channel) || 0;
      counts.set(channel, n + 1);
      if (n === 0 && live) subscribeFrame(channel);
      if (n === 0 && !live && poller.scheduled && !positions.get(channel)) poller.now();
      start();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const left = (counts.get(channel) || 1) - 1;
        if (left > 0) {
          counts.set(channel, left);
          return;
        }
        counts.delete(channel);
        if (live) send(socket, { type: 'unsubscribe', channel });
      };
    },
    channels: () => [...counts.keys()],
    position: (channel) => positions.get(channel),
    onFrame: (listener) => frames.add(listener),
    onInvalidate: (listener) => invalidations.add(listener),
    /** Internal: (channel, recovered) when a channel is confirmed by `subscribed` or answered by /v1/changes. */
    onReady: (listener) => ready.add(listener),
    connection: {
      get state() {
        return state;
      },
      subscribe: (listener) => stateListeners.add(listener),
      reconnect: () => reconnectNow(),
    },
    isLive: () => live,
    close: shutdown,
  };
}
