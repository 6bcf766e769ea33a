// Test doubles for the SDK's injected parts: a virtual clock, a WebSocket the test drives, fetch answered by a
// function, and a browser-like environment (visibility, online, pagehide, sessionStorage).
import { createConveyor } from '../src/index.js';

export async function flush() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function fakeClock(start = 1_000_000) {
  let now = start;
  let seq = 0;
  const timers = new Map();
  return {
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, Number(ms) || 0), fn, seq: id });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    now: () => now,
    /** Runs every timer due within `ms`, in order, letting promises settle between them. */
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await flush();
        let next = null;
        for (const [id, t] of timers) {
          if (t.at <= target && (!next || t.at < next.t.at || (t.at === next.t.at && t.seq < next.t.seq))) next = { id, t };
        }
        if (!next) break;
        timers.delete(next.id);
        now = next.t.at;
        next.t.fn();
      }
      now = target;
      await flush();
    },
    get pending() {
      return timers.size;
    },
  };
}

export function fakeSockets() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      sockets.push(this);
    }
    send(data) {
      this.sent.push(JSON.parse(data));
    }
    close(code = 1000) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.closedWith = code;
      if (this.onclose) this.onclose({ code, reason: '' });
    }
    // the server's side
    open() {
      this.readyState = 1;
      if (this.onopen) this.onopen({});
    }
    accept(userId = 'u1') {
      this.open();
      this.receive({ type: 'welcome', userId });
    }
    receive(frame) {
      if (this.onmessage) this.onmessage({ data: JSON.stringify(frame) });
    }
    drop(code = 1006) {
      this.readyState = 3;
      if (this.onclose) this.onclose({ code, reason: '' });
    }
    sentOf(type) {
      return this.sent.filter((f) => f.type === type);
    }
  }
  return {
    FakeWebSocket,
    sockets,
    get last() {
      return sockets[sockets.length - 1];
    },
  };
}

/** fetch answered by `handler(call)` -> {status, body, headers} | Error (thrown as a network failure). */
export function fakeFetch(handler) {
  const calls = [];
  const fn = async (url, init = {}) => {
    const u = new URL(url);
    const call = {
      url, method: init.method || 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams),
      headers: init.headers || {}, body: init.body ? JSON.parse(init.body) : undefined, keepalive: Boolean(init.keepalive),
    };
    calls.push(call);
    const out = await handler(call);
    if (out instanceof Error) throw out;
    const { status = 200, body, headers = {} } = out || {};
    const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
    const nullBody = status === 204 || status === 304;
    return new Response(nullBody ? null : text, { status, headers: { 'Content-Type': 'application/json', ...headers } });
  };
  fn.calls = calls;
  fn.callsTo = (method, path) => calls.filter((c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)));
  return fn;
}

export function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
    map,
  };
}

export function fakeEnv({ visible = true, storage = memoryStorage() } = {}) {
  const sets = { visibility: new Set(), online: new Set(), pagehide: new Set(), pageshow: new Set() };
  let isVisible = visible;
  const add = (set) => (cb) => {
    set.add(cb);
    return () => set.delete(cb);
  };
  return {
    isVisible: () => isVisible,
    onVisibilityChange: add(sets.visibility),
    onOnline: add(sets.online),
    onPageHide: add(sets.pagehide),
    onPageShow: add(sets.pageshow),
    storage,
    setVisible(v) {
      isVisible = v;
      for (const cb of [...sets.visibility]) cb();
    },
    online: () => [...sets.online].forEach((cb) => cb()),
    pageHide: () => [...sets.pagehide].forEach((cb) => cb()),
    pageShow: (persisted = true) => [...sets.pageshow].forEach((cb) => cb({ persisted })),
    sets,
  };
}

/** A token whose payload has `sub` (no real signature). */
export function token(sub = 'u1', extra = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64({ sub, ...extra })}.sig`;
}

/** A conveyor on fakes; `routes(call)` answers fetch. */
export function harness({ routes = () => ({ status: 404, body: { code: 'not_found' } }), realtime = true, visible = true, storage, random = () => 0.5, getToken } = {}) {
  const clock = fakeClock();
  const ws = fakeSockets();
  const env = fakeEnv({ visible, storage });
  const fetch = fakeFetch(routes);
  const tokens = [];
  const conveyor = createConveyor({
    taskApiUrl: 'http://task', generationUrl: 'http://gen', gatewayUrl: 'http://gw',
    getToken: getToken || (() => {
      const t = token('u1', { n: tokens.length });
      tokens.push(t);
      return t;
    }),
    realtime, WebSocket: ws.FakeWebSocket, fetch, environment: env, timers: clock, random,
    onError: () => {},
  });
  const states = [];
  conveyor.connection.subscribe((s) => states.push(s));
  const invalidations = [];
  conveyor.onInvalidate((keys, frame) => invalidations.push({ keys, frame }));
  return { clock, ws, env, fetch, tokens, conveyor, states, invalidations };
}
