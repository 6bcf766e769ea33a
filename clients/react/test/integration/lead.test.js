// Two tabs (two providers, two clients) of one user on the real task-api: exactly one renders <TaskProcessor>'s
// children, and when that tab goes away (its provider unmounts, releasing the lead) the other renders them within 7 s.
import { connect, app, env, user, waitFor } from './platform.js';
import '../dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement as h } from 'react';
import { render } from '@testing-library/react';
import { TaskProcessor } from '../../src/index.js';

test('exactly one tab renders the TaskProcessor; the other takes over within 7 s after it closes', { timeout: 120000 }, async () => {
  const me = user(2);
  const clients = [connect(me, env), connect(me, env)];
  const tabs = clients.map((c, i) => {
    const container = document.createElement('div');
    document.body.append(container);
    const { element } = app(c, h(TaskProcessor, { fallback: h('p', null, 'follower') }, h('p', null, `processor ${i}`)));
    return { container, view: render(element, { container }) };
  });
  const leading = () => tabs.map((t, i) => (t.container.textContent.startsWith('processor') ? i : -1)).filter((i) => i >= 0);
  let both = 0;
  const watch = setInterval(() => {
    if (leading().length > 1) both++;
  }, 20);
  try {
    await waitFor(() => leading().length === 1, { timeout: 30000, message: 'one leading tab' });
    await new Promise((r) => setTimeout(r, 1500)); // and it stays one
    assert.equal(leading().length, 1);
    const [first] = leading();
    const other = 1 - first;
    const closedAt = Date.now();
    tabs[first].view.unmount();
    tabs[first].container.remove();
    await waitFor(() => tabs[other].container.textContent === `processor ${other}`, { timeout: 7000, message: 'takeover within 7 s' });
    assert.ok(Date.now() - closedAt < 7000);
    assert.equal(both, 0, 'never two processors at once');
  } finally {
    clearInterval(watch);
    tabs.forEach((t) => t.container.isConnected && t.view.unmount());
    clients.forEach((c) => c.close());
  }
});
