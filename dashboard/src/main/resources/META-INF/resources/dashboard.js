// Conveyor dashboard, built on the web SDK @conveyor/client (served with the page at ./sdk/, copied from
// clients/js/src by the dashboard module's build). The SDK owns the realtime connection (one WebSocket, resume,
// reconnect with backoff, dead-mode polling of GET /v1/changes), the per-tab lead and task callbacks; this page
// only renders, and reloads a section when the SDK says one of its cache keys changed.
import { createConveyor } from './sdk/index.js';

const $ = (id) => document.getElementById(id);

const defaults = {
  taskApiUrl: `${location.protocol}//${location.hostname}:8081`,
  generationUrl: `${location.protocol}//${location.hostname}:8082`,
  gatewayUrl: location.origin,
};
const query = new URLSearchParams(location.search);
const state = {
  token: null, userId: null, conveyor: null, lead: null, projectId: null, shotId: '', leaveProject: null,
};

function status(text) { $('status').textContent = `${new Date().toLocaleTimeString()} ${text}`; }

function describe(e) {
  if (e && e.code && (e.detail || e.title)) return `${e.code}: ${e.detail || e.title}`;
  return e && e.message ? e.message : String(e);
}

function jwtSubject(token) {
  const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  return payload.sub;
}

// ---- sign in -------------------------------------------------------------------------------------------------

function loadSettings() {
  // Query parameters (?taskApiUrl=..&generationUrl=..&gatewayUrl=..&token=..) win over what this browser remembers;
  // ?realtime=false runs the page in dead mode only (no WebSocket, polling GET /v1/changes).
  for (const k of Object.keys(defaults)) $(k).value = query.get(k) || localStorage.getItem(`conveyor.${k}`) || defaults[k];
  $('token').value = query.get('token') || localStorage.getItem('conveyor.token') || '';
}

async function signIn() {
  $('signinError').textContent = '';
  const urls = {};
  for (const k of Object.keys(defaults)) urls[k] = $(k).value.trim().replace(/\/$/, '');
  let conveyor = null;
  try {
    state.token = $('token').value.trim();
    state.userId = jwtSubject(state.token);
    conveyor = createConveyor({ ...urls, getToken: () => state.token, realtime: query.get('realtime') !== 'false' });
    await loadAccount(conveyor);
  } catch (e) {
    if (conveyor) conveyor.close();
    $('signinError').textContent = `Sign-in failed: ${describe(e)}`;
    return;
  }
  state.conveyor = conveyor;
  for (const k of Object.keys(defaults)) localStorage.setItem(`conveyor.${k}`, urls[k]);
  localStorage.setItem('conveyor.token', state.token);
  $('signin').hidden = true; $('app').hidden = false; $('signout').hidden = false;

  showConnection(conveyor.connection.state);
  conveyor.connection.subscribe(showConnection);
  conveyor.onInvalidate((keys) => invalidate(keys));
  conveyor.onFrame((frame) => { if (frame.type === 'error') status(`realtime: ${frame.code} ${frame.message || ''}`); });
  conveyor.subscribe(`user:${state.userId}`);
  state.lead = conveyor.lead({ onLead: showLead, onLose: showLead, onError: showLead });
  setInterval(showLead, 1000); // who leads, as the lead's last answer said (no request of its own)
  try {
    await loadProjects();
  } catch (e) {
    status(`projects: ${describe(e)}`);
  }
}

async function signOut() {
  localStorage.removeItem('conveyor.token');
  if (state.lead) await state.lead.stop().catch(() => {}); // hands the lead to another tab at once
  if (state.conveyor) state.conveyor.close();
  location.reload();
}

// ---- indicators ------------------------------------------------------------------------------------------------

const CONNECTION = {
  live: ['live', 'on'], polling: ['polling', 'polling'], connecting: ['connecting', 'off'],
  reconnecting: ['offline, reconnecting', 'off'], closed: ['offline', 'off'],
};

function showConnection(connection) {
  const [text, look] = CONNECTION[connection] || ['offline', 'off'];
  const badge = $('live');
  badge.className = `badge ${look}`;
  badge.textContent = text;
  badge.dataset.state = connection;
}

function showLead() {
  const badge = $('lead');
  const lead = state.lead;
  const leads = Boolean(lead && lead.isLeader());
  badge.classList.toggle('on', leads);
  badge.dataset.leader = String(leads);
  if (leads) badge.textContent = 'this tab leads';
  else if (lead && lead.leaderClientId) badge.textContent = `lead: other tab (${lead.leaderClientId.slice(0, 8)})`;
  else badge.textContent = 'lead –';
}

// ---- data ----------------------------------------------------------------------------------------------------

async function loadAccount(conveyor = state.conveyor) {
  const a = await conveyor.account.get();
  $('credits').textContent = `credits ${a.available} available (${a.held} held)`;
}

async function loadProjects(selectId) {
  const projects = await state.conveyor.projects.list();
  const sel = $('projectSelect');
  sel.innerHTML = '';
  for (const p of projects) sel.add(new Option(p.name, p.id));
  const wanted = selectId || localStorage.getItem('conveyor.projectId');
  if (projects.some((p) => p.id === wanted)) sel.value = wanted;
  await selectProject(sel.value || null);
}

async function selectProject(id) {
  if (id !== state.projectId) {
    if (state.leaveProject) state.leaveProject();
    state.leaveProject = id ? state.conveyor.subscribe(`project:${id}`) : null;
  }
  state.projectId = id;
  if (id) localStorage.setItem('conveyor.projectId', id);
  await Promise.all([loadTasks(), loadShots(), loadGenerations()]);
}

async function createProject() {
  const name = $('projectName').value.trim() || `Project ${new Date().toLocaleString()}`;
  const p = await state.conveyor.projects.create({ name });
  $('projectName').value = '';
  await loadProjects(p.id);
}

async function createTask() {
  $('createError').textContent = '';
  if (!state.projectId) { $('createError').textContent = 'create a project first'; return; }
  const params = { prompt: $('prompt').value, width: 256, height: 256, seed: Math.floor(Math.random() * 1e6) };
  if ($('shotId').value.trim()) params.shot_id = $('shotId').value.trim();
  try {
    // the callbacks come from the SDK's task tracking (realtime frames, or polling in dead mode)
    const task = await state.conveyor.tasks.create({ projectId: state.projectId, taskType: $('taskType').value, params }, {
      onSuccess: (t) => status(`task ${t.id.slice(0, 8)} complete`),
      onError: (e) => status(`task failed: ${e && e.errorMessage ? e.errorMessage : describe(e)}`),
    });
    status(`task ${task.id.slice(0, 8)} ${task.status}`);
    await loadTasks();
  } catch (e) {
    $('createError').textContent = describe(e);
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
    state.conveyor.tasks.list(state.projectId, { page: 1, limit: 50 }),
    state.conveyor.tasks.statusCounts(state.projectId),
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
    await state.conveyor.tasks[action](id);
    await loadTasks();
  } catch (e) {
    status(`${action} failed: ${describe(e)}`);
  }
}

async function loadShots() {
  const sel = $('shotFilter');
  const keep = state.shotId;
  sel.innerHTML = '';
  sel.add(new Option('whole project', ''));
  if (!state.projectId) return;
  try {
    const shots = await state.conveyor.shots.list(state.projectId);
    for (const s of shots || []) sel.add(new Option(`shot: ${s.name}`, s.id));
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  } catch (e) {
    status(`shots: ${describe(e)}`);
  }
}

async function loadGenerations() {
  const grid = $('generations');
  if (!state.projectId) { grid.innerHTML = ''; return; }
  try {
    const items = state.shotId
      ? await state.conveyor.shots.generations(state.shotId)
      : (await state.conveyor.generations.list(state.projectId, { page: 1, limit: 48 })).items;
    grid.innerHTML = '';
    for (const g of items || []) {
      const media = g.type === 'video' || /\.gif$/i.test(g.location) || g.type === 'image'
        ? el('img', { src: g.location, alt: g.type, loading: 'lazy' }) : el('a', { href: g.location, textContent: g.location });
      grid.append(el('figure', { dataset: { generationId: g.id } }, media,
        el('figcaption', { textContent: `${g.type} · ${new Date(g.createdAt).toLocaleTimeString()}` })));
    }
  } catch (e) {
    status(`generations: ${describe(e)}`);
  }
}

// ---- invalidations: which section a changed cache key belongs to ---------------------------------------------------

const reloads = { tasks: false, generations: false, shots: false, account: false };
let reloadTimer = null;

function invalidate(keys) {
  for (const key of keys) {
    const head = Array.isArray(key) ? key[0] : String(key);
    if (head === 'tasks' || head === 'task' || head === 'task-status-counts') reloads.tasks = true;
    else if (head === 'unified-generations' || head === 'unpositioned-count') reloads.generations = true;
    else if (head === 'shots') { reloads.shots = true; reloads.generations = true; }
    else if (head === 'task-lead') showLead(); // the SDK's lead asks again by itself
    else reloads.account = true;
  }
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(runReloads, 30); // one reload per section for a burst of frames
}

async function runReloads() {
  const todo = { ...reloads };
  Object.keys(reloads).forEach((k) => { reloads[k] = false; });
  const jobs = [];
  if (todo.tasks) jobs.push(loadTasks());
  if (todo.shots) jobs.push(loadShots());
  if (todo.generations) jobs.push(loadGenerations());
  if (todo.account) jobs.push(loadAccount());
  const failed = (await Promise.allSettled(jobs)).find((r) => r.status === 'rejected');
  if (failed) status(`reload: ${describe(failed.reason)}`);
}

// ---- wiring ----------------------------------------------------------------------------------------------------

$('signinButton').onclick = signIn;
$('signout').onclick = signOut;
$('createProject').onclick = () => createProject().catch((e) => status(describe(e)));
$('createTask').onclick = createTask;
$('projectSelect').onchange = (e) => selectProject(e.target.value).catch((err) => status(describe(err)));
$('shotFilter').onchange = (e) => { state.shotId = e.target.value; loadGenerations(); };
loadSettings();
if ($('token').value) signIn();
