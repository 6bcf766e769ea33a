// Browser check of the reference studio (examples/studio, on @conveyor/client + @conveyor/react), run by the e2e
// module's ReactStudioIT against the packaged platform. Serves the studio's production build (STUDIO_DIST) itself on
// 127.0.0.1:STUDIO_PORT (an origin the platform's CORS_ORIGINS allows) and drives two pages of one user in Debian's
// headless Chromium:
//   1. a prompt in page 1 makes its image appear in both pages, with no reload;
//   2. a task that fails for good (fail_permanently) shows its error toast exactly once (in the page that created it);
//   3. with the gateway stopped (CONVEYOR_CONTROL_URL), both pages switch to 'polling' and still show a new image
//      within 20 s of its creation; the gateway is started again;
//   then a shot and a travel pipeline into it (the whole pipeline's progress, the unpositioned count, placing it);
//   4. exactly one page shows the lead badge, and the other takes it within 7 s after the first page closes.
// Env: STUDIO_DIST, STUDIO_PORT, TASK_API_URL, GENERATION_URL, GATEWAY_URL, USER_TOKEN (a user with credits),
// CONVEYOR_CONTROL_URL, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium). Exit 0 = all seen.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { until } from './until.mjs';

const env = process.env;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** The built studio as static files (what any static host would do). */
function serve(dist, port) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function control(action) {
  const res = await fetch(`${env.CONVEYOR_CONTROL_URL}/gateway/${action}`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`gateway ${action}: ${res.status} ${await res.text()}`);
}

const log = (...args) => console.log(new Date().toISOString(), ...args);
const state = (page) => page.$eval('#connection', (b) => b.dataset.state);
const leads = (page) => page.$eval('#lead', (b) => b.dataset.leader === 'true');
/** Generation ids in the project gallery whose image has loaded. */
const loadedImages = (page) => page.$$eval('#gallery img',
  (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).map((i) => i.dataset.generationId));

async function generate(page, prompt, { fail = false } = {}) {
  if ((await page.isChecked('#failOnPurpose')) !== fail) await page.click('#failOnPurpose');
  await page.fill('#prompt', prompt);
  await page.waitForSelector('#estimate[data-cost]');
  await page.click('#generate');
  await page.waitForFunction(() => document.querySelector('#prompt').value === '', null, { timeout: 15000 });
}

const server = await serve(env.STUDIO_DIST, Number(env.STUDIO_PORT));
const browser = await chromium.launch({
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
const navigations = { 1: 0, 2: 0 };

async function openPage(n) {
  const page = await context.newPage();
  page.on('console', (m) => log(`[page ${n} ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log(`[page ${n} pageerror] ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) log(`[page ${n} http ${r.status()}] ${r.request().method()} ${r.url()}`); });
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations[n] += 1; });
  const query = new URLSearchParams({ taskApiUrl: env.TASK_API_URL, generationUrl: env.GENERATION_URL, gatewayUrl: env.GATEWAY_URL });
  await page.goto(`http://127.0.0.1:${env.STUDIO_PORT}/?${query}`);
  return page;
}

try {
  // ---- page 1 signs in and creates a project; page 2 (same user: the token is in localStorage) opens on it
  const p1 = await openPage(1);
  await p1.fill('#token', env.USER_TOKEN);
  await p1.click('#signin');
  await p1.waitForSelector('#connection[data-state="live"]', { timeout: 20000 });
  await p1.fill('#projectName', 'studio check');
  await p1.click('#projectNameCreate');
  await p1.waitForFunction(() => document.querySelector('#project').selectedOptions[0]?.textContent === 'studio check');
  await p1.waitForSelector('#credits:not(:has-text("…"))');
  const p2 = await openPage(2);
  await p2.waitForSelector('#connection[data-state="live"]', { timeout: 20000 });
  await p2.waitForFunction(() => document.querySelector('#project').selectedOptions[0]?.textContent === 'studio check');
  log('both pages live on the project');

  // ---- 1. a prompt in page 1: the image in both pages without a reload
  await generate(p1, 'a lighthouse at dusk, seen by two tabs');
  await until('the image in both pages', 60000, async () => (await loadedImages(p1)).length === 1 && (await loadedImages(p2)).length === 1);
  const [first] = await loadedImages(p1);
  if ((await loadedImages(p2))[0] !== first) throw new Error('the pages show different images');
  await p1.waitForSelector('.toast[data-kind="success"]', { timeout: 15000 });
  log('1. image in both pages', first);

  // ---- 2. a failing task: its error toast once
  await generate(p1, 'this one fails on purpose', { fail: true });
  const failedToast = await p1.waitForSelector('.toast[data-kind="error"]', { timeout: 60000 });
  const failedId = await failedToast.getAttribute('data-task-id');
  if (!failedId) throw new Error('the error toast names no task');
  const text = await failedToast.textContent();
  if (!text.includes('fail_permanently')) throw new Error(`the error toast does not say why: ${text}`);
  await p2.waitForSelector(`#tasks tr[data-task-id="${failedId}"][data-status="failed"]`, { timeout: 15000 });
  await p1.waitForSelector(`#tasks tr[data-task-id="${failedId}"][data-status="failed"]`, { timeout: 15000 });
  await new Promise((resolve) => setTimeout(resolve, 3000)); // later frames (credits, counts) must not toast it again
  const toasts = await Promise.all([p1, p2].map((p) => p.$$eval(`.toast[data-kind="error"][data-task-id="${failedId}"]`, (l) => l.length)));
  if (toasts[0] + toasts[1] !== 1) throw new Error(`error toasts for ${failedId}: page 1 ${toasts[0]}, page 2 ${toasts[1]}; expected 1 in all`);
  log('2. one error toast:', text.trim());
  await p1.screenshot({ path: `${env.SCREENSHOT_DIR}/studio.png`, fullPage: true });

  // ---- 3. the gateway stopped: both pages poll and still see a new image within 20 s
  await control('stop');
  log('gateway stopped');
  await until('both pages polling', 30000, async () => (await state(p1)) === 'polling' && (await state(p2)) === 'polling');
  const createdAt = Date.now();
  await generate(p1, 'a harbour in the fog, seen while polling');
  await until('the new image in both pages while polling', 20000 - (Date.now() - createdAt),
    async () => (await loadedImages(p1)).length === 2 && (await loadedImages(p2)).length === 2);
  log(`3. new image in both pages ${Date.now() - createdAt} ms after the create, while polling`);
  await p2.screenshot({ path: `${env.SCREENSHOT_DIR}/studio-polling.png` });
  await control('start');
  await until('both pages live again', 60000, async () => (await state(p1)) === 'live' && (await state(p2)) === 'live');
  log('gateway back, both live');

  // ---- a shot and a travel pipeline into it: the whole pipeline's progress, the unpositioned count, PUT position
  await p1.fill('#shotName', 'opening');
  await p1.click('#shotNameCreate');
  await p1.waitForFunction(() => document.querySelector('#shot').selectedOptions[0]?.textContent === 'opening');
  const segments = await p1.$$('.segments input:not([type])');
  for (const [i, input] of segments.entries()) await input.fill(`travel segment ${i + 1}`);
  await p1.waitForSelector('#travelEstimate[data-cost]');
  await p1.click('#travel');
  await p1.waitForSelector('#tasks tr[data-status="complete"] >> text=travel_orchestrator', { timeout: 30000 });
  await p1.waitForSelector(`#tasks tr:has-text("travel_orchestrator") >> text=/100% · ${segments.length + 2}\/${segments.length + 2} steps/`,
    { timeout: 90000 });
  await p1.waitForSelector('#unpositioned[data-count="1"]', { timeout: 30000 });
  await p1.click('#shotGallery .loose button');
  await p1.waitForSelector('#unpositioned[data-count="0"]', { timeout: 15000 });
  await p1.waitForSelector('#shotGallery li:not(.loose) img', { timeout: 15000 });
  log('travel pipeline done, its video placed in the shot');
  await p1.screenshot({ path: `${env.SCREENSHOT_DIR}/studio-shot.png`, fullPage: true });

  // ---- 4. exactly one lead badge; the other page takes it within 7 s after the leader closes
  await until('exactly one leading page', 20000, async () => (await leads(p1)) !== (await leads(p2)));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  if ((await leads(p1)) === (await leads(p2))) throw new Error('not exactly one leading page');
  const [leader, other] = (await leads(p1)) ? [p1, p2] : [p2, p1];
  const closedAt = Date.now();
  await leader.close({ runBeforeUnload: true });
  await other.waitForSelector('#lead[data-leader="true"]', { timeout: 7000 });
  log(`4. the other page leads ${Date.now() - closedAt} ms after the leader closed`);

  if (navigations[1] !== 1 || navigations[2] !== 1) throw new Error(`reloads: ${JSON.stringify(navigations)} (expected one load each)`);
  log('studio check passed');
} catch (e) {
  console.error(e);
  for (const p of context.pages()) await p.screenshot({ path: `${env.SCREENSHOT_DIR}/studio-failure-${context.pages().indexOf(p)}.png` }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
