// Graphile Worker 0.18.0, the reference queue of ./bench/compare. One long-lived node process (so its JIT is as warm
// as the JVMs'), driven by the Java driver over stdin/stdout, one JSON command per line:
//   {"cmd":"drain","mode":"default"|"batched","n":N}
//   {"cmd":"live","per":1|50,"n":N,"clients":8}      adders and a default (per 1) or batched (per > 1) runner
//   {"cmd":"dispatch","n":N}                        one job at a time on an idle default runner
//   {"cmd":"quit"}
// Around the measured window it prints "MARK start" / "MARK end" and waits for a "go" line, so the driver reads every
// process's CPU from /proc at exactly those points; then "RESULT <json>". Everything else goes to stderr.
import { createInterface } from "node:readline";
import { Logger, makeWorkerUtils, run } from "graphile-worker";

const connectionString = process.env.GRAPHILE_DATABASE_URL;
if (!connectionString) {
  console.error("GRAPHILE_DATABASE_URL is not set");
  process.exit(2);
}
const CONCURRENCY = Number(process.env.GRAPHILE_CONCURRENCY ?? 32);
const quiet = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`graphile ${level}: ${message}`);
});

const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();
async function nextLine() {
  const { value, done } = await lines.next();
  if (done) process.exit(0);
  return value;
}
async function mark(what) {
  process.stdout.write(`MARK ${what}\n`);
  const answer = await nextLine();
  if (answer.trim() !== "go") throw new Error(`expected "go", got ${answer}`);
}

// Handlers record when they start (dispatch) and count what ran (live); a no-op otherwise, like Conveyor's "noop".
let onStart = null;
const taskList = {
  noop: async () => {
    if (onStart) onStart(performance.now());
  },
};

/** The configurations compared: Graphile's defaults, and the batched one (local queue + batched completion). */
const MODES = {
  default: {},
  batched: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
};

async function startRunner(mode) {
  return run({
    connectionString,
    concurrency: CONCURRENCY,
    maxPoolSize: CONCURRENCY + 2,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: quiet,
    taskList,
    preset: { worker: MODES[mode] },
  });
}

const utils = await makeWorkerUtils({ connectionString, logger: quiet });
await utils.migrate();
const sql = (text, values) => utils.withPgClient((c) => c.query(text, values));

async function remaining() {
  const r = await sql("select count(*)::int as n from graphile_worker._private_jobs");
  return r.rows[0].n;
}

async function awaitEmpty() {
  // 5 ms between counts: a cheap index-only query, and the window's end is known to within 5 ms.
  while ((await remaining()) > 0) await new Promise((r) => setTimeout(r, 5));
}

async function queueGated(n) {
  // The gate: jobs wait an hour in the future; one UPDATE releases them all at once (as Conveyor's gate task does),
  // and one NOTIFY wakes the runner the way addJobs would.
  const later = new Date(Date.now() + 3600_000);
  for (let i = 0; i < n; i += 1000) {
    const specs = Array.from({ length: Math.min(1000, n - i) }, () => ({ identifier: "noop", payload: {}, runAt: later }));
    await utils.addJobs(specs);
  }
}

async function drain({ mode, n }) {
  await queueGated(n);
  const runner = await startRunner(mode);
  await mark("start");
  const t0 = performance.now();
  await sql(`with released as (update graphile_worker._private_jobs set run_at = now() returning 1)
             select pg_notify('jobs:insert', json_build_object('count', (select count(*) from released))::text)`);
  await awaitEmpty();
  const seconds = (performance.now() - t0) / 1000;
  await mark("end");
  await runner.stop();
  return { n, seconds };
}

async function live({ per, n, clients }) {
  const runner = await startRunner(per > 1 ? "batched" : "default");
  const pool = await makeWorkerUtils({ connectionString, logger: quiet, maxPoolSize: clients });
  let next = 0;
  await mark("start");
  const t0 = performance.now();
  const adder = async () => {
    while (next < n) {
      const count = Math.min(per, n - next);
      next += count;
      if (per === 1) await pool.addJob("noop", {});
      else await pool.addJobs(Array.from({ length: count }, () => ({ identifier: "noop", payload: {} })));
    }
  };
  await Promise.all(Array.from({ length: clients }, adder));
  const addSeconds = (performance.now() - t0) / 1000;
  await awaitEmpty();
  const seconds = (performance.now() - t0) / 1000;
  await mark("end");
  await pool.release();
  await runner.stop();
  return { n, seconds, addSeconds };
}

async function dispatch({ n }) {
  const runner = await startRunner("default");
  const micros = [];
  await mark("start");
  for (let i = 0; i < n; i++) {
    const started = new Promise((resolve) => (onStart = resolve));
    const t0 = performance.now();
    await utils.addJob("noop", {});
    micros.push(Math.round(((await started) - t0) * 1000));
    await awaitEmpty();
  }
  onStart = null;
  await mark("end");
  await runner.stop();
  return { n, micros };
}

const COMMANDS = { drain, live, dispatch };
process.stdout.write("READY\n");
for (;;) {
  const command = JSON.parse(await nextLine());
  if (command.cmd === "quit") break;
  const handler = COMMANDS[command.cmd];
  if (!handler) throw new Error(`unknown command ${command.cmd}`);
  const result = await handler(command);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
await utils.release();
process.exit(0);
