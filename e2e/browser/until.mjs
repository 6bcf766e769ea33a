// Shared by the browser checks: Playwright's waits see one page only, so conditions across pages are polled here.

/** Polls `condition()` every `everyMs` until it is truthy; throws `not within <ms> ms: <what>` after `ms`. */
export async function until(what, ms, condition, everyMs = 200) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
