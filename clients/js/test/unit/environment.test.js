import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConveyor } from '../../src/index.js';
import { defaultEnvironment } from '../../src/environment.js';

test('in Node (no document, window or sessionStorage) the tab counts as visible and nothing is stored', () => {
  const env = defaultEnvironment();
  assert.equal(env.isVisible(), true);
  assert.equal(env.storage, null);
  assert.equal(typeof env.onVisibilityChange(() => {}), 'function');
});

test('in a browser the environment reads document.visibilityState and listens on window', () => {
  const listeners = [];
  const target = (name) => ({ addEventListener: (t) => listeners.push(`${name}:${t}`), removeEventListener: () => {} });
  globalThis.document = { visibilityState: 'hidden', ...target('document') };
  globalThis.window = target('window');
  try {
    const env = defaultEnvironment();
    assert.equal(env.isVisible(), false);
    env.onVisibilityChange(() => {});
    env.onOnline(() => {});
    env.onPageHide(() => {});
    assert.deepEqual(listeners, ['document:visibilitychange', 'window:online', 'window:pagehide']);
  } finally {
    delete globalThis.document;
    delete globalThis.window;
  }
});

test('without a WebSocket (Node 20) the error says to pass one, or realtime: false', () => {
  const hadWs = 'WebSocket' in globalThis;
  const saved = globalThis.WebSocket;
  if (hadWs) delete globalThis.WebSocket;
  try {
    assert.throws(() => createConveyor({ taskApiUrl: 'http://t', gatewayUrl: 'http://g', getToken: () => 'x' }), /WebSocket option/);
    const c = createConveyor({ taskApiUrl: 'http://t', gatewayUrl: 'http://g', getToken: () => 'x', realtime: false });
    assert.equal(c.connection.state, 'polling');
    c.close();
  } finally {
    if (hadWs) globalThis.WebSocket = saved;
  }
});

test('creating a client opens nothing until a channel is subscribed', () => {
  let opened = 0;
  class Counting {
    constructor() {
      opened++;
    }
  }
  const c = createConveyor({ taskApiUrl: 'http://t', gatewayUrl: 'http://g', getToken: () => 'x', WebSocket: Counting });
  assert.equal(opened, 0);
  c.close();
});
