// Conveyor dashboard: only the public REST and WebSocket API (docs/rest.md, docs/generations-api.md, docs/realtime.md).
// Queries are refetched when the realtime gateway says their cache key changed; when the socket is down the same
// cursor is polled over GET /v1/changes.
'use strict';

const $ = (id) => document.getElementById(id);
const clientId = sessionStorage.getItem('conveyor.clientId') || crypto.randomUUID();
sessionStorage.setItem('conveyor.clientId', clientId);

const defaults = {
  taskApiUrl: `${location.protocol}//${location.hostname}:8081`,
  generationUrl: `${location.protocol}//${location.hostname}:8082`,
  gatewayUrl: location.origin,
};
const state = {
  token: null, userId: null, urls: {}, projectId: null, shotId: '',
  ws: null, wsOpen: false, positions: {}, pollTimer: null, reconnectTimer: null, leadTimer: null,
};

function status(text) { $('status').textContent = `${new Date().toLocaleTimeString()} ${text}`; }

async function api(service, path, options = {}) {
  const res = await fetch(state.urls[service] + path, {
    ...options,
    headers: { 'Authorization': `Bearer ${state.token}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  if (res.status === 204 || res.status === 304) return null;
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = body && (body.detail || body.title) ? `${body.code || res.status}: ${body.detail || body.title}` : `HTTP ${res.status}`;
    throw new Error(detail);
  }
  return body;
}

function jwtSubject(token) {
  const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  return payload.sub;
}

// ---- sign in -------------------------------------------------------------------------------------------------

function loadSettings() {
  // Query parameters (?taskApiUrl=..&generationUrl=..&gatewayUrl=..&token=..) win over what this browser remembers.
  const query = new URLSearchParams(location.search);
  for (const k of Object.keys(defaults)) $(k).value = query.get(k) || localStorage.getItem(`conveyor.${k}`) || defaults[k];
  const fromUrl = query.get('token');
  $('token').value = fromUrl || localStorage.getItem('conveyor.token') || '';
}

async function signIn() {
  $('signinError').textContent = '';
  try {
    state.token = $('token').value.trim();
    state.userId = jwtSubject(state.token);
    for (const k of Object.keys(defaults)) {
      state.urls[k.replace('Url', '')] = $(k).value.replace(/\/$/, '');
      localStorage.setItem(`conveyor.${k}`, $(k).value);
    }
    await loadAccount();
    localStorage.setItem('conveyor.token', state.token);
    $('signin').hidden = true; $('app').hidden = false; $('signout').hidden = false;
    await loadProjects();
    connect();
    leadLoop();
  } catch (e) {
    $('signinError').textContent = `Sign-in failed: ${e.message}`;
  }
}

function signOut() {
  localStorage.removeItem('conveyor.token');
  location.reload();
}

// ---- data ----------------------------------------------------------------------------------------------------

async function loadAccount() {
  const a = await api('taskApi', '/v1/account');
  $('credits').textContent = `credits ${a.available} available (${a.held} held)`;
}

async function leadLoop() {
  clearTimeout(state.leadTimer);
  try {
    const lead = await api('taskApi', '/v1/task-lead', { method: 'POST', body: JSON.stringify({ clientId }) });
    $('lead').textContent = lead.leader ? 'this tab leads' : `lead: other tab (${(lead.leaderClientId || '').slice(0, 8)})`;
  } catch (e) {
    $('lead').textContent = 'lead ?';
  }
  state.leadTimer = setTimeout(leadLoop, 5000);
}

async function loadProjects(selectId) {
  const projects = await api('taskApi', '/v1/projects');
  const sel = $('projectSelect');
  sel.innerHTML = '';
  for (const p of projects) sel.add(new Option(p.name, p.id));
  const wanted = selectId || localStorage.getItem('conveyor.projectId');
  if (projects.some((p) => p.id === wanted)) sel.value = wanted;
  await selectProject(sel.value || null);
}

async function selectProject(id) {
  const previous = state.projectId;
  state.projectId = id;
  if (id) localStorage.setItem('conveyor.projectId', id);
  if (previous && previous !== id) send({ type: 'unsubscribe', channel: `project:${previous}` });
  if (id) subscribe(`project:${id}`);
  await Promise.all([loadTasks(), loadShots(), loadGenerations()]);
}

async function createProject() {
  const name = $('projectName').value.trim() || `Project ${new Date().toLocaleString()}`;
  const p = await api('taskApi', '/v1/projects', { method: 'POST', body: JSON.stringify({ name }) });
  $('projectName').value = '';
  await loadProjects(p.id);
}

async function createTask() {
  $('createError').textContent = '';
  if (!state.projectId) { $('createError').textContent = 'create a project first'; return; }
  const params = { prompt: $('prompt').value, width: 256, height: 256, seed: Math.floor(Math.random() * 1e6) };
  if ($('shotId').value.trim()) params.shot_id = $('shotId').value.trim();
  try {
    await api('taskApi', '/v1/tasks', {
      method: 'POST',
      body: JSON.stringify({ projectId: state.projectId, taskType: $('taskType').value, params }),
    });
    if (!state.wsOpen) await loadTasks();
  } catch (e) {
    $('createError').textContent = e.message;
  }
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  const { dataset, ...props } = attrs;
  Object.assign(e, props);
  Object.assign(e.dataset, dataset || {});
  for (const c of children) e.append(c);
  return e;
}

async function loadTasks() {
  const rows = $('taskRows');
  if (!state.projectId) { rows.innerHTML = ''; $('counts').textContent = ''; return; }
  const [page, counts] = await Promise.all([
    api('taskApi', `/v1/projects/${state.projectId}/tasks?page=1&limit=50`),
    api('taskApi', `/v1/projects/${state.projectId}/task-status-counts`),
  ]);
  if (counts) {
    $('counts').textContent = Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(' · ');
  }
  rows.innerHTML = '';
  for (const t of page.items) {
    const bar = el('div', { className: 'progress' }, el('div'));
    bar.firstChild.style.width = `${t.status === 'complete' ? 100 : (t.progress || 0)}%`;
    const actions = el('td');
    if (t.status === 'queued' || t.status === 'in_progress' || t.status === 'waiting') {
      actions.append(el('button', { textContent: 'Cancel', onclick: () => taskAction(t.id, 'cancel') }));
    }
    if (t.status === 'failed' || t.status === 'cancelled') {
      actions.append(el('button', { textContent: 'Retry', onclick: () => taskAction(t.id, 'retry') }));
    }
    rows.append(el('tr', { dataset: { taskId: t.id, status: t.status } },
      el('td', { textContent: new Date(t.createdAt).toLocaleTimeString() }),
      el('td', { textContent: t.taskType }),
      el('td', { className: `status-${t.status}`, textContent: t.status }),
      el('td', {}, bar, t.progressMessage ? ` ${t.progressMessage}` : ''),
      el('td', { textContent: `${t.attempts}/${t.maxAttempts}` }),
      el('td', { className: 'error', textContent: t.errorMessage || '' }),
      actions));
  }
}

async function taskAction(id, action) {
  try {
    await api('taskApi', `/v1/tasks/${id}/${action}`, { method: 'POST' });
    if (!state.wsOpen) await loadTasks();
  } catch (e) {
    status(`${action} failed: ${e.message}`);
  }
}

async function loadShots() {
  const sel = $('shotFilter');
  const keep = state.shotId;
  sel.innerHTML = '';
  sel.add(new Option('whole project', ''));
  if (!state.projectId) return;
  try {
    const shots = await api('generation', `/v1/projects/${state.projectId}/shots`);
    for (const s of shots || []) sel.add(new Option(`shot: ${s.name}`, s.id));
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  } catch (e) {
    status(`shots: ${e.message}`);
  }
}

async function loadGenerations() {
  const grid = $('generations');
  if (!state.projectId) { grid.innerHTML = ''; return; }
  try {
    const items = state.shotId
      ? await api('generation', `/v1/shots/${state.shotId}/generations`)
      : (await api('generation', `/v1/projects/${state.projectId}/generations?page=1&limit=48`)).items;
    grid.innerHTML = '';
    for (const g of (Array.isArray(items) ? items : items.items || [])) {
      const media = g.type === 'video' || /\.gif$/i.test(g.location) || g.type === 'image'
        ? el('img', { src: g.location, alt: g.type, loading: 'lazy' }) : el('a', { href: g.location, textContent: g.location });
      grid.append(el('figure', { dataset: { generationId: g.id } }, media,
        el('figcaption', { textContent: `${g.type} · ${new Date(g.createdAt).toLocaleTimeString()}` })));
    }
  } catch (e) {
    status(`generations: ${e.message}`);
  }
}

// ---- realtime --------------------------------------------------------------------------------------------------

const reloads = { tasks: false, generations: false, shots: false, account: false, lead: false };
let reloadTimer = null;

function invalidate(keys) {
  for (const key of keys) {
    const head = Array.isArray(key) ? key[0] : String(key);
    if (head === 'tasks' || head === 'task-status-counts') reloads.tasks = true;
    else if (head === 'unified-generations' || head === 'unpositioned-count') reloads.generations = true;
    else if (head === 'shots') { reloads.shots = true; reloads.generations = true; }
    else if (head === 'task-lead') reloads.lead = true;
    else reloads.account = true;
  }
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(runReloads, 30);
}

function invalidateAll() { invalidate([['tasks'], ['unified-generations'], ['shots'], ['account'], ['task-lead']]); }

async function runReloads() {
  const todo = { ...reloads };
  Object.keys(reloads).forEach((k) => { reloads[k] = false; });
  const jobs = [];
  if (todo.tasks) jobs.push(loadTasks());
  if (todo.shots) jobs.push(loadShots());
  if (todo.generations) jobs.push(loadGenerations());
  if (todo.account) jobs.push(loadAccount());
  if (todo.lead) jobs.push(leadLoop());
  await Promise.allSettled(jobs);
}

function channels() {
  const list = [`user:${state.userId}`];
  if (state.projectId) list.push(`project:${state.projectId}`);
  return list;
}

function send(frame) {
  if (state.ws && state.wsOpen) state.ws.send(JSON.stringify(frame));
}

function subscribe(channel) {
  const frame = { type: 'subscribe', channel };
  if (state.positions[channel] !== undefined) frame.since = state.positions[channel];
  send(frame);
}

function setLive(mode) {
  const badge = $('live');
  badge.className = `badge ${mode === 'live' ? 'on' : mode === 'polling' ? 'polling' : 'off'}`;
  badge.textContent = mode;
}

function connect() {
  clearTimeout(state.reconnectTimer);
  const url = `${state.urls.gateway.replace(/^http/, 'ws')}/v1/realtime?access_token=${encodeURIComponent(state.token)}`;
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => {
    state.wsOpen = true;
    stopPolling();
    setLive('live');
    channels().forEach(subscribe);
  };
  ws.onmessage = (msg) => {
    const frame = JSON.parse(msg.data);
    if (frame.position !== undefined && frame.channel) state.positions[frame.channel] = frame.position;
    if (frame.type === 'invalidate') invalidate(frame.keys || []);
    else if (frame.type === 'reset') invalidateAll();
    else if (frame.type === 'subscribed' && frame.recovered === false && frame.channel) invalidate(channelKeys(frame.channel));
    else if (frame.type === 'error') status(`realtime: ${frame.code} ${frame.message || ''}`);
  };
  ws.onclose = (ev) => {
    state.wsOpen = false;
    setLive('polling');
    status(`realtime closed (${ev.code}); polling /v1/changes and reconnecting`);
    startPolling();
    state.reconnectTimer = setTimeout(connect, 3000);
  };
}

function channelKeys(channel) {
  return channel.startsWith('project:') ? [['tasks'], ['unified-generations'], ['shots']] : [['account'], ['task-lead']];
}

function startPolling() {
  if (state.pollTimer) return;
  state.pollTimer = setInterval(pollChanges, 2000);
}

function stopPolling() {
  clearInterval(state.pollTimer);
  state.pollTimer = null;
}

async function pollChanges() {
  for (const channel of channels()) {
    const since = state.positions[channel];
    const query = new URLSearchParams({ channel });
    if (since !== undefined) query.set('since', typeof since === 'string' ? since : JSON.stringify(since));
    try {
      const res = await fetch(`${state.urls.gateway}/v1/changes?${query}`, { headers: { 'Authorization': `Bearer ${state.token}` } });
      if (!res.ok) continue;
      const changes = await res.json();
      if (changes.position !== undefined) state.positions[channel] = changes.position;
      if (changes.reset) invalidate(channelKeys(channel));
      else if (changes.keys && changes.keys.length) invalidate(changes.keys);
    } catch (e) {
      setLive('offline');
    }
  }
}

// ---- wiring ----------------------------------------------------------------------------------------------------

$('signinButton').onclick = signIn;
$('signout').onclick = signOut;
$('createProject').onclick = () => createProject().catch((e) => status(e.message));
$('createTask').onclick = createTask;
$('projectSelect').onchange = (e) => selectProject(e.target.value).catch((err) => status(err.message));
$('shotFilter').onchange = (e) => { state.shotId = e.target.value; loadGenerations(); };
loadSettings();
if ($('token').value) signIn();
