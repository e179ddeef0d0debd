// `npm run bench`: examples/helloworld.lua on moonbridge-lua against the same
// page served by Node's own http module (node-hello.ts), loaded with the same
// tool, alternating the servers, median of the rounds. See bench/README.md.

import * as os from 'os';
import * as path from 'path';
import { runLoad, runningTools, LoadResult, Scenario, SCENARIOS, toolDescription } from './load';
import { Options, parseOptions, USAGE, UsageError } from './options';
import {
  freePorts,
  killServerNow,
  ServerProcess,
  startServer,
  stopServer,
  tailFile,
  waitForAccept,
  describeExit,
} from './processes';
import { formatTable, median, Row } from './report';
import { verifyHello } from './verify';
import { getPage, PAGE_CONNECTIONS, PAGE_PATH, runPageLoad, verifyPages } from './page';
import { ColdStart, formatColdStarts, timeToFirstResponse } from './cold-start';
import { FORM_CONNECTIONS, FormRow, FormRunResult, formatFormTable, formRequests, formRow, runFormLoad, verifyForms } from './form';
import { runMemoryStep, type StepHost } from './memory';
import { runForkStep } from './fork-rate';

const REPO = path.resolve(__dirname, '..', '..');
const MAX_ERROR_RATE = 0.01;
const PAUSE_BETWEEN_RUNS_MS = 500;
/** The cold-start window of the page step, and the share of the steady rate it must reach. */
const COLD_SECONDS = 2;
const COLD_GOAL = 0.8;
const C_MOONBRIDGE_NOTE =
  'For reference: the C Moonbridge reaches 0.47x Node http at keep-alive c=10.';

interface Target {
  label: string;
  port: number;
  server: ServerProcess;
}


const servers: ServerProcess[] = [];
const stoppedServers = new Set<ServerProcess>();
let cleanup: Promise<void> | null = null;
/** Runs in which some client connections never got a response. */
const starvationNotes = new Set<string>();

/** Stops every server not stopped yet. Steps (hello, form, memory) each stop
 *  their own servers at their end, so a later call stops only newer ones;
 *  calls while a stop is under way share it. */
function stopEverything(): Promise<void> {
  if (cleanup === null) {
    cleanup = (async () => {
      for (const child of runningTools) child.kill('SIGKILL');
      const warnings = await Promise.all(
        servers
          .filter((server) => !stoppedServers.has(server))
          .map(async (server) => {
            const warning = await stopServer(server);
            stoppedServers.add(server);
            return warning;
          }),
      );
      for (const warning of warnings) if (warning !== null) console.error(`warning: ${warning}`);
    })().finally(() => {
      cleanup = null;
    });
  }
  return cleanup;
}

// Last resort when the process ends some other way (second Ctrl-C, uncaught
// exception): SIGKILL whatever was not stopped properly.
process.on('exit', () => {
  for (const child of runningTools) child.kill('SIGKILL');
  for (const server of servers) if (!stoppedServers.has(server)) killServerNow(server);
});

/** Set by SIGINT/SIGTERM/SIGHUP: the main flow stops quietly, the signal
 *  handler stops the servers and exits. */
let interrupted = false;
class Interrupted extends Error {}

let signalCount = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (++signalCount > 1) process.exit(130); // the 'exit' handler kills the rest
    interrupted = true;
    console.error(`\n${signal}: stopping the servers...`);
    void stopEverything().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function moonbridgeCommand(opts: Options, port: number): string[] {
  if (opts.mbCommand === null) {
    return [
      process.execPath,
      path.join(REPO, 'bin', 'moonbridge-lua'),
      path.join(REPO, 'examples', 'helloworld.lua'),
      String(port),
    ];
  }
  const words = opts.mbCommand.split(/\s+/).filter((w) => w !== '');
  if (words[0] === 'node') words[0] = process.execPath;
  if (!words.some((w) => w.includes('{port}'))) return [...words, String(port)];
  return words.map((w) => w.split('{port}').join(String(port)));
}

function machineDescription(): string {
  const cpus = os.cpus();
  const model = cpus.length > 0 ? cpus[0].model.trim() : 'unknown CPU';
  return `${cpus.length} CPUs (${model}), node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`;
}

function checkAlive(target: Target): void {
  if (interrupted) throw new Interrupted();
  if (target.server.exit !== null) {
    throw new Error(`${target.label} ${describeExit(target.server)} (port ${target.port})`);
  }
}

/** "only 14 of 50 connections got a response", or null. */
function starvation(result: LoadResult, scenario: Scenario): string | null {
  if (result.connectionsServed === null || result.connectionsServed >= scenario.connections) return null;
  return `only ${result.connectionsServed} of ${scenario.connections} connections got a response`;
}

function formatRun(result: LoadResult, scenario: Scenario): string {
  const rate = Math.round(result.requestsPerSecond).toLocaleString('en-US').padStart(9);
  let text = `${rate} req/s  (${result.requests} requests in ${result.seconds.toFixed(2)} s)`;
  if (result.errorDetail !== '') text += `  ${result.errorDetail}`;
  const starved = starvation(result, scenario);
  if (starved !== null) text += `  ${starved}`;
  return text;
}

async function measure(opts: Options, target: Target, scenario: Scenario, what: string): Promise<LoadResult> {
  checkAlive(target);
  const result = await runLoad(opts.tool, target.port, scenario, opts.duration);
  checkAlive(target);
  console.log(`  ${what.padEnd(10)} ${target.label.padEnd(15)} ${formatRun(result, scenario)}`);
  const starved = starvation(result, scenario);
  if (starved !== null) starvationNotes.add(`${target.label}, ${scenario.name}: ${starved} (in at least one round)`);
  if (result.errorRate > MAX_ERROR_RATE) {
    throw new Error(
      `${target.label}, ${scenario.name}: ${(result.errorRate * 100).toFixed(1)}% of the requests failed ` +
        `(more than ${MAX_ERROR_RATE * 100}%): ${result.errorDetail || 'no response at all'}`,
    );
  }
  return result;
}

/** The hello-world scenarios (step "hello"), output as before the steps existed. */
async function runHello(opts: Options): Promise<number> {
  console.log('moonbridge-lua HTTP benchmark: examples/helloworld.lua vs. the same page on Node http');
  console.log(`machine: ${machineDescription()}`);
  console.log(`tool:    ${toolDescription(opts.tool)}`);
  console.log(
    `runs:    ${opts.rounds} round(s) of ${opts.duration} s per server and scenario, servers alternating, ` +
      `median reported; warm-up ${opts.warmup} s per server`,
  );

  const [nodePort, mbPort] = await freePorts(2);
  const stamp = `${process.pid}`;
  const nodeLog = path.join(os.tmpdir(), `bench-node-http-${stamp}.log`);
  const mbLog = path.join(os.tmpdir(), `bench-moonbridge-lua-${stamp}.log`);
  const mbCommand = moonbridgeCommand(opts, mbPort);
  const mbLabel = opts.mbCommand === null ? 'moonbridge-lua' : 'moonbridge-lua*';
  if (opts.mbCommand !== null) {
    console.log(`note:    BENCH_MB_CMD set, "${mbLabel}" is: ${mbCommand.join(' ')}`);
  }

  const node: Target = {
    label: 'node http',
    port: nodePort,
    server: startServer('node http', [process.execPath, path.join(__dirname, 'node-hello.js'), String(nodePort)], REPO, nodeLog),
  };
  servers.push(node.server);
  const mb: Target = {
    label: mbLabel,
    port: mbPort,
    server: startServer(mbLabel, mbCommand, REPO, mbLog),
  };
  servers.push(mb.server);

  const rows: Row[] = [];
  const totals = new Map<Target, { non2xx: number; errors: number }>([
    [node, { non2xx: 0, errors: 0 }],
    [mb, { non2xx: 0, errors: 0 }],
  ]);
  try {
    await Promise.all(
      [node, mb].map((t) => waitForAccept(t.server, t.port, opts.startTimeout * 1000)),
    );
    for (const t of [node, mb]) {
      console.log(`check:   ${t.label} on port ${t.port} (pid ${t.server.pid}): GET / -> ${await verifyHello(t.label, t.port)}`);
    }
    if (opts.warmup > 0) {
      const warmup: Scenario = { name: 'warm-up', connections: 10, keepAlive: true };
      for (const t of [node, mb]) {
        checkAlive(t);
        await runLoad(opts.tool, t.port, warmup, opts.warmup);
        checkAlive(t);
        await sleep(PAUSE_BETWEEN_RUNS_MS);
      }
    }

    for (const scenario of SCENARIOS) {
      console.log(`\n${scenario.name}`);
      const rates = new Map<Target, number[]>([
        [node, []],
        [mb, []],
      ]);
      for (let round = 1; round <= opts.rounds; round++) {
        for (const t of [node, mb]) {
          const result = await measure(opts, t, scenario, `round ${round}`);
          rates.get(t)?.push(result.requestsPerSecond);
          const total = totals.get(t);
          if (total !== undefined) {
            total.non2xx += result.non2xx;
            total.errors += result.errors;
          }
          await sleep(PAUSE_BETWEEN_RUNS_MS);
        }
      }
      rows.push({ scenario: scenario.name, node: median(rates.get(node) ?? []), moonbridge: median(rates.get(mb) ?? []) });
    }
  } catch (err) {
    if (interrupted) {
      await stopEverything(); // the signal handler exits once this is done
      return 130;
    }
    if (rows.length > 0) console.log(`\nresults so far (median req/s):\n${formatTable(rows)}`);
    const message = err instanceof Error ? err.message : String(err);
    console.error(`\nBENCHMARK FAILED: ${message}`);
    console.error(`moonbridge-lua log: ${mbLog}\n--- last lines ---\n${tailFile(mbLog)}\n---`);
    console.error(`node http log: ${nodeLog}`);
    await stopEverything();
    return 1;
  }
  await stopEverything();

  console.log(`\nmedian req/s of ${opts.rounds} round(s), ${opts.duration} s each:\n`);
  console.log(formatTable(rows));
  const summary = [node, mb]
    .map((t) => {
      const total = totals.get(t) ?? { non2xx: 0, errors: 0 };
      return `${t.label} ${total.non2xx} non-2xx / ${total.errors} errors`;
    })
    .join(', ');
  console.log(`\nfailed requests over all runs: ${summary}`);
  for (const note of starvationNotes) console.log(`note: ${note}`);
  console.log(`tool:    ${toolDescription(opts.tool)}`);
  console.log(`machine: ${machineDescription()}`);
  console.log(C_MOONBRIDGE_NOTE);
  if (opts.mbCommand !== null) console.log(`(${mbLabel}: BENCH_MB_CMD override, not moonbridge-lua)`);
  console.log(`server logs: ${mbLog}, ${nodeLog}`);
  return 0;
}

/** Starts one server of a step and registers it for cleanup. */
function startTarget(label: string, command: string[], port: number, logName: string): Target {
  const log = path.join(os.tmpdir(), `bench-${logName}-${process.pid}.log`);
  const target: Target = { label, port, server: startServer(label, command, REPO, log) };
  servers.push(target.server);
  return target;
}

/** A step failed: print why with the log tails, stop its servers, status 1. */
async function stepFailed(step: string, err: unknown, targets: Target[]): Promise<number> {
  if (interrupted) {
    await stopEverything();
    return 130;
  }
  console.error(`\n${step.toUpperCase()} STEP FAILED: ${err instanceof Error ? err.message : String(err)}`);
  for (const t of targets) {
    console.error(`${t.label} log: ${t.server.logPath}\n--- last lines ---\n${tailFile(t.server.logPath)}\n---`);
  }
  await stopEverything();
  return 1;
}

/**
 * For the autocannon steps (form, page): prints the step's header; the
 * commands of bench/node-<step>.js and of bench/apps/<step>.lua on
 * moonbridge-lua.
 */
async function autocannonPair(opts: Options, step: string, load: string): Promise<Array<{ label: string; command: string[]; port: number; log: string }>> {
  console.log(`moonbridge-lua ${step} benchmark: bench/apps/${step}.lua vs. bench/node-${step}.ts on Node http`);
  console.log(`machine: ${machineDescription()}`);
  const version = (require('autocannon/package.json') as { version: string }).version;
  console.log(`tool:    autocannon ${version} (${load}; used whatever --tool says)`);
  console.log(`runs:    ${opts.rounds} round(s) of ${opts.duration} s per server and scenario, servers alternating, median reported`);
  const [nodePort, mbPort] = await freePorts(2);
  return [
    { label: 'node http', command: [process.execPath, path.join(__dirname, `node-${step}.js`), String(nodePort)], port: nodePort, log: `${step}-node-http` },
    {
      label: 'moonbridge-lua',
      command: [process.execPath, path.join(REPO, 'bin', 'moonbridge-lua'), path.join(REPO, 'bench', 'apps', `${step}.lua`), String(mbPort)],
      port: mbPort,
      log: `${step}-moonbridge-lua`,
    },
  ];
}

/** Starts both servers of an autocannon step at once. */
async function startAutocannonPair(opts: Options, step: string, load: string): Promise<[Target, Target]> {
  const [node, mb] = await autocannonPair(opts, step, load);
  return [startTarget(node.label, node.command, node.port, node.log), startTarget(mb.label, mb.command, mb.port, mb.log)];
}

/** Step "page": a rendered 60-row page, see bench/page.ts. */
async function runPage(opts: Options): Promise<number> {
  const pair = await autocannonPair(opts, 'page', `keep-alive c=${PAGE_CONNECTIONS}, every body checked`);
  console.log(`cold:    each server started alone, timed from spawn to its first page, then loaded for ${COLD_SECONDS} s at once`);
  const targets: Target[] = [];
  const cold: ColdStart[] = [];
  try {
    // One at a time, moonbridge-lua first: a start-up measured while the
    // other server starts, or is loaded, would be measured on one core.
    for (const spec of [pair[1], pair[0]]) {
      const spawnedAt = performance.now();
      const t = startTarget(spec.label, spec.command, spec.port, spec.log);
      targets.unshift(t);
      const startupMs = await timeToFirstResponse(t.server, t.port, PAGE_PATH, spawnedAt, opts.startTimeout * 1000);
      const page = await getPage(t.port);
      const first = await runPageLoad(t.port, page.body, COLD_SECONDS);
      cold.push({ label: t.label, startupMs, firstRate: first.requestsPerSecond });
      console.log(`  cold      ${t.label.padEnd(15)} start-up ${startupMs.toFixed(0)} ms, first ${COLD_SECONDS} s ${Math.round(first.requestsPerSecond).toLocaleString('en-US')} req/s`);
      await sleep(PAUSE_BETWEEN_RUNS_MS);
    }
  } catch (err) {
    return stepFailed('page', err, targets);
  }
  const [node, mb] = targets;
  const rates = new Map<Target, number[]>([[node, []], [mb, []]]);
  try {
    const page = await verifyPages(targets);
    if (opts.warmup > 0) {
      for (const t of targets) {
        checkAlive(t);
        await runPageLoad(t.port, page, opts.warmup);
        await sleep(PAUSE_BETWEEN_RUNS_MS);
      }
    }
    console.log(`
GET ${PAGE_PATH} keep-alive c=${PAGE_CONNECTIONS}`);
    for (let round = 1; round <= opts.rounds; round++) {
      for (const t of targets) {
        checkAlive(t);
        const r = await runPageLoad(t.port, page, opts.duration);
        checkAlive(t);
        const rate = Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(9);
        console.log(`  ${`round ${round}`.padEnd(10)} ${t.label.padEnd(15)} ${rate} req/s  (${r.requests} requests in ${r.seconds.toFixed(2)} s)${r.detail !== '' ? `  ${r.detail}` : ''}`);
        if (r.failures > MAX_ERROR_RATE * Math.max(1, r.requests)) {
          throw new Error(`${t.label}, page: ${r.failures} of ${r.requests} requests failed: ${r.detail}`);
        }
        rates.get(t)?.push(r.requestsPerSecond);
        await sleep(PAUSE_BETWEEN_RUNS_MS);
      }
    }
  } catch (err) {
    return stepFailed('page', err, targets);
  }
  await stopEverything();
  console.log(`
page (60 rows, ${PAGE_PATH}), median of ${opts.rounds} round(s), ${opts.duration} s each:
`);
  console.log(formatTable([{ scenario: `page keep-alive c=${PAGE_CONNECTIONS}`, node: median(rates.get(node) ?? []), moonbridge: median(rates.get(mb) ?? []) }]));
  console.log(`\ncold start (${COLD_SECONDS} s right after the first response, no warm-up load) against the steady median:\n`);
  console.log(formatColdStarts(cold.map((c) => ({ ...c, steady: median(rates.get(c.label === node.label ? node : mb) ?? []) })), COLD_SECONDS, COLD_GOAL));
  console.log(`server logs: ${mb.server.logPath}, ${node.server.logPath}`);
  return 0;
}

/** Step "form": POST /urlencoded and POST /upload, see bench/form.ts. */
async function runForm(opts: Options): Promise<number> {
  const [node, mb] = await startAutocannonPair(opts, 'form', `keep-alive c=${FORM_CONNECTIONS}, pipelining 1, POST body`);
  const targets = [node, mb];
  const formTargets = targets.map((t) => ({ label: t.label, port: t.port, checkAlive: () => checkAlive(t) }));
  const rows: FormRow[] = [];
  let failures = 0;
  try {
    await Promise.all(targets.map((t) => waitForAccept(t.server, t.port, opts.startTimeout * 1000)));
    const requests = formRequests();
    const digests = await verifyForms(formTargets, requests);
    for (const req of requests) {
      const name = `POST ${req.path} (${req.body.length.toLocaleString('en-US')} B) keep-alive c=${FORM_CONNECTIONS}`;
      console.log(`\n${name}`);
      const expect = digests.get(req.name) ?? '';
      if (opts.warmup > 0) {
        for (const t of targets) {
          checkAlive(t);
          await runFormLoad(t.port, req, expect, opts.warmup);
          await sleep(PAUSE_BETWEEN_RUNS_MS);
        }
      }
      const results = new Map<Target, FormRunResult[]>([[node, []], [mb, []]]);
      for (let round = 1; round <= opts.rounds; round++) {
        for (const t of targets) {
          checkAlive(t);
          const r = await runFormLoad(t.port, req, expect, opts.duration);
          checkAlive(t);
          const rate = Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(9);
          console.log(
            `  ${`round ${round}`.padEnd(10)} ${t.label.padEnd(15)} ${rate} req/s  ${r.megabytesPerSecond.toFixed(2).padStart(8)} MB/s  ` +
              `(${r.requests} requests in ${r.seconds.toFixed(2)} s)${r.detail !== '' ? `  ${r.detail}` : ''}`,
          );
          failures += r.failures;
          if (r.failures > MAX_ERROR_RATE * Math.max(1, r.requests)) {
            throw new Error(`${t.label}, ${name}: ${r.failures} of ${r.requests} requests failed: ${r.detail}`);
          }
          results.get(t)?.push(r);
          await sleep(PAUSE_BETWEEN_RUNS_MS);
        }
      }
      rows.push(formRow(`POST ${req.path}`, results.get(node) ?? [], results.get(mb) ?? []));
    }
  } catch (err) {
    if (rows.length > 0) console.log(`\nresults so far:\n${formatFormTable(rows)}`);
    return stepFailed('form', err, targets);
  }
  await stopEverything();
  console.log(`\nform POST, keep-alive c=${FORM_CONNECTIONS}, median of ${opts.rounds} round(s), ${opts.duration} s each (MB/s: request bodies, 10^6 B):\n`);
  console.log(formatFormTable(rows));
  console.log(`\nfailed requests over all form runs: ${failures}`);
  console.log(`server logs: ${mb.server.logPath}, ${node.server.logPath}`);
  return 0;
}

/** What the memory and fork steps (bench/memory.ts, bench/fork-rate.ts) use of this file. */
function stepHost(opts: Options): StepHost {
  return {
    repo: REPO, startTimeoutMs: opts.startTimeout * 1000, strict: opts.strictMemory,
    helloCommand: (port) => moonbridgeCommand(opts, port), startTarget, checkAlive, stopEverything, stepFailed,
  };
}

async function main(): Promise<number> {
  let parsed: Options | 'help';
  try {
    parsed = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const opts = parsed;
  let code = 0;
  for (const step of opts.only) {
    if (interrupted) return 130;
    if (step !== opts.only[0]) console.log('');
    const stepCode = step === 'hello' ? await runHello(opts)
      : step === 'form' ? await runForm(opts)
        : step === 'page' ? await runPage(opts)
          : step === 'memory' ? await runMemoryStep(stepHost(opts))
            : await runForkStep(stepHost(opts));
    if (stepCode === 130) return 130;
    // A failed step does not stop the others; the worst status is the exit status.
    code = Math.max(code, stepCode);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    void stopEverything().finally(() => process.exit(1));
  },
);
