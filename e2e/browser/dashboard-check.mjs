// Browser check of the dashboard (which runs on the web SDK @conveyor/client), run by PlatformIT against the packaged
// platform. Env: DASHBOARD_URL, USER_TOKEN, SCREENSHOT (path), CHROMIUM (default /usr/bin/chromium).
// Tab A signs in and shows 'live', creates a project and a single_image task, sees the row say "complete", the
// task's onSuccess callback and the generated image appear — with no reload — and leads. Tab B (same user) shows that
// another tab leads. Tab C has its WebSocket refused (Playwright routes it and closes it): it shows 'polling' and
// still sees its own task complete through dead-mode polling. When tab A closes, exactly one of B and C takes the
// lead. Exit 0 = all seen; non-zero = not seen.
import { chromium } from 'playwright-core';
import { until } from './until.mjs';

const { DASHBOARD_URL, USER_TOKEN, SCREENSHOT } = process.env;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const tabs = {};

async function openTab(name) {
  const page = await context.newPage();
  page.on('console', (m) => console.log(`[${name} ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`[${name} pageerror] ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) console.log(`[${name} http ${r.status()}] ${r.request().method()} ${r.url()}`); });
  tabs[name] = page;
  return page;
}

const leads = (page) => page.$eval('#lead', (b) => b.dataset.leader === 'true');

async function createTaskIn(page, prompt) {
  const before = await page.$$eval('#taskRows tr', (rows) => rows.map((r) => r.dataset.taskId));
  await page.fill('#prompt', prompt);
  await page.click('#createTask');
  const handle = await page.waitForFunction((known) => {
    const row = [...document.querySelectorAll('#taskRows tr')].find((r) => !known.includes(r.dataset.taskId));
    return row && row.dataset.taskId;
  }, before, { timeout: 15000 });
  return handle.jsonValue();
}

try {
  // ---- tab A: live, a task from create to image, its callback, the lead
  const a = await openTab('A');
  let reloads = 0;
  a.on('framenavigated', (f) => { if (f === a.mainFrame()) reloads += 1; });
  await a.goto(DASHBOARD_URL);
  await a.fill('#token', USER_TOKEN);
  await a.click('#signinButton');
  await a.waitForSelector('#app:not([hidden])');
  await a.waitForSelector('#live.on[data-state="live"]', { timeout: 15000 });

  await a.fill('#projectName', 'browser check');
  await a.click('#createProject');
  await a.waitForFunction(() => document.querySelector('#projectSelect').options.length > 0);

  const taskA = await createTaskIn(a, 'a lighthouse at dusk, seen by a browser');
  await a.waitForSelector(`#taskRows tr[data-task-id="${taskA}"][data-status="complete"]`, { timeout: 60000 });
  await a.waitForFunction((id) => document.querySelector('#status').textContent.includes(`task ${id.slice(0, 8)} complete`),
    taskA, { timeout: 30000 });
  await a.waitForSelector('#generations figure img', { timeout: 30000 });
  await a.waitForFunction(() => {
    const img = document.querySelector('#generations figure img');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 15000 });
  if (reloads !== 1) throw new Error(`the page navigated ${reloads} times; expected no reload after the first load`);
  await a.waitForSelector('#lead.on[data-leader="true"]', { timeout: 15000 });
  await a.screenshot({ path: SCREENSHOT, fullPage: true });

  // ---- tab B: the same user (signed in from localStorage), live, sees that another tab leads
  const b = await openTab('B');
  await b.goto(DASHBOARD_URL);
  await b.waitForSelector('#app:not([hidden])');
  await b.waitForSelector('#live.on[data-state="live"]', { timeout: 15000 });
  await b.waitForFunction(() => document.querySelector('#lead').textContent.startsWith('lead: other tab'), null, { timeout: 15000 });

  // ---- tab C: its WebSocket is refused, so it polls GET /v1/changes; its task still completes on screen
  const c = await openTab('C');
  await c.routeWebSocket(/\/v1\/realtime/, (ws) => ws.close({ code: 1011, reason: 'refused by the browser check' }));
  await c.goto(DASHBOARD_URL);
  await c.waitForSelector('#app:not([hidden])');
  await c.waitForSelector('#live.polling[data-state="polling"]', { timeout: 20000 });
  const taskC = await createTaskIn(c, 'a lighthouse at dawn, seen by a polling tab');
  await c.waitForSelector(`#taskRows tr[data-task-id="${taskC}"][data-status="complete"]`, { timeout: 60000 });
  if ((await c.$eval('#live', (x) => x.dataset.state)) !== 'polling') throw new Error('tab C left polling with its socket refused');

  // ---- exactly one tab of the user leads: A; when A closes, exactly one of B and C takes over
  const leaders = async (names) => (await Promise.all(names.map((n) => leads(tabs[n])))).filter(Boolean).length;
  if (!(await leads(a)) || (await leaders(['A', 'B', 'C'])) !== 1) throw new Error('expected tab A to be the only leader');
  await a.close({ runBeforeUnload: true });
  delete tabs.A;
  await until('exactly one of tabs B and C leads after tab A closed', 15000, async () => (await leaders(['B', 'C'])) === 1);
  console.log(`after A closed: B leads ${await leads(b)}, C leads ${await leads(c)}`);
  console.log(`dashboard check passed; screenshot ${SCREENSHOT}`);
} catch (e) {
  for (const [name, page] of Object.entries(tabs)) {
    if (page.isClosed()) continue;
    const info = await page.evaluate(() => ({
      createError: document.querySelector('#createError')?.textContent,
      status: document.querySelector('#status')?.textContent,
      rows: [...document.querySelectorAll('#taskRows tr')].map((r) => r.textContent),
      live: document.querySelector('#live')?.dataset.state,
      lead: document.querySelector('#lead')?.textContent,
    })).catch((err) => String(err));
    console.log(`tab ${name} at failure:`, JSON.stringify(info));
    await page.screenshot({ path: `${SCREENSHOT}.${name}.failure.png`, fullPage: true }).catch(() => {});
  }
  throw e;
} finally {
  await browser.close();
}
