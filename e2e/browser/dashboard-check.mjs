// Browser check of the dashboard, run by BrowserIT against the packaged platform.
// Env: DASHBOARD_URL, USER_TOKEN, SCREENSHOT (path), CHROMIUM (default /usr/bin/chromium).
// Signs in, creates a project and a single_image task, waits for the row to say "complete" and for the generated
// image to appear in the gallery — with no reload — then saves a screenshot. Exit 0 = seen; non-zero = not seen.
import { chromium } from 'playwright-core';

const { DASHBOARD_URL, USER_TOKEN, SCREENSHOT } = process.env;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  page.on('response', (r) => { if (r.status() >= 400) console.log(`[http ${r.status()}] ${r.request().method()} ${r.url()}`); });
  let reloads = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) reloads += 1; });

  await page.goto(DASHBOARD_URL);
  await page.fill('#token', USER_TOKEN);
  await page.click('#signinButton');
  await page.waitForSelector('#app:not([hidden])');
  await page.waitForSelector('#live.on', { timeout: 15000 });

  await page.fill('#projectName', 'browser check');
  await page.click('#createProject');
  await page.waitForFunction(() => document.querySelector('#projectSelect').options.length > 0);

  await page.fill('#prompt', 'a lighthouse at dusk, seen by a browser');
  await page.click('#createTask');
  await page.waitForSelector('#taskRows tr[data-status="complete"]', { timeout: 60000 });
  await page.waitForSelector('#generations figure img', { timeout: 30000 });
  await page.waitForFunction(() => {
    const img = document.querySelector('#generations figure img');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 15000 });

  if (reloads !== 1) throw new Error(`the page navigated ${reloads} times; expected no reload after the first load`);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`dashboard check passed; screenshot ${SCREENSHOT}`);
} catch (e) {
  const page = browser.contexts()[0]?.pages()[0];
  if (page) {
    const info = await page.evaluate(() => ({
      createError: document.querySelector('#createError')?.textContent,
      status: document.querySelector('#status')?.textContent,
      rows: [...document.querySelectorAll('#taskRows tr')].map((r) => r.textContent),
      live: document.querySelector('#live')?.textContent,
    }));
    console.log('page state at failure:', JSON.stringify(info));
    await page.screenshot({ path: `${SCREENSHOT}.failure.png`, fullPage: true });
  }
  throw e;
} finally {
  await browser.close();
}
