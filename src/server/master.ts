/**
 * The master process: forks and replaces workers per pool, relays their
 * stderr into the log, and handles SIGTERM (graceful shutdown), SIGINT and
 * SIGHUP (fast shutdown). It runs its own poll(2) loop on native
 * descriptors and never hands control back to the Node event loop.
 */
import * as fs from 'fs';
import { type LuaState } from 'fengari';
import { isErrnoError, native, type WaitResult } from '../native/binding';
import type { ListenerConfig, PoolConfig } from './config';
import { MSG_ACCEPTED, MSG_GOODBYE, MSG_IDLE, MSG_TERMINATE, parseControl, sendConnect, sendControl } from './control';
import { precompile } from '../lua/chunk-cache';
import { ForkRefusedError, forkProcess } from './fork';
import { runChildCleanups } from './child-cleanup';
import { collectFully, oldGenerationUsed } from '../io/external-memory';
import type { Logger } from './log';
import { runWorker } from './worker';
import { StderrRelay } from './stderr-relay';

type WorkerState = 'starting' | 'idle' | 'busy' | 'leaving';

interface Worker {
  pid: number;
  pool: PoolRuntime;
  ctrlFd: number;
  stderr: StderrRelay;
  state: WorkerState;
  idleSince: number;
  /** Whether the worker said goodbye before closing its control socket. */
  saidGoodbye: boolean;
  /** Whether the worker ever reported idle (it survived `prepare`). */
  wasReady: boolean;
  exit: WaitResult | null;
  /** The interval or main run dispatched to this worker and not finished yet. */
  job: Schedule | null;
  /** The worker accepted a connection before reading its job: the next idle report is not the job's end. */
  jobDeferred: boolean;
  /** The worker ran a main listener: when it ends, the server shuts down. */
  ranMain: boolean;
  /** The start of a control message whose rest has not arrived yet. */
  ctrlPartial: Uint8Array | null;
}

/** An interval or main listener waiting for its next run. */
interface Schedule {
  listener: Extract<ListenerConfig, { proto: 'interval' | 'main' }>;
  /** Monotonic time of the next run. */
  due: number;
  running: Worker | null;
}

interface PoolRuntime {
  config: PoolConfig;
  workers: Set<Worker>;
  /** Earliest time of the next fork. */
  nextFork: number;
  /** Forks allowed without waiting for fork_delay (replacements of crashed or ended workers). */
  immediateForks: number;
  /** When the current excess of idle workers was first seen (0 = none). */
  excessSince: number;
  lastExcessExit: number;
  schedules: Schedule[];
}

export interface MasterOptions {
  L: LuaState;
  pools: PoolConfig[];
  logger: Logger;
}

const BUF = new Uint8Array(256);

/** Growth of the master's heap since its last collection that makes it collect again before a fork. */
const RECOLLECT_AFTER_GROWTH = 1024 * 1024;

export class Master {
  private readonly L: LuaState;
  private readonly logger: Logger;
  private readonly pools: PoolRuntime[];
  private readonly workers = new Map<number, Worker>();
  private readonly signalFd: number;
  private shutdown: 'none' | 'graceful' | 'fast' = 'none';
  private readonly pid: number;
  /**
   * The master's old generation in use after its last collection before a
   * fork (-1: none yet). Its own, not external-memory.ts's baseline: the
   * HTTP warm-up serves requests in the master, whose collections would
   * otherwise stand in for the compacting one before the first fork (page
   * app worker 11.1 instead of 6.9-8.6 MiB after 1,000 requests, measured).
   */
  private heapAfterCollection = -1;

  constructor(options: MasterOptions) {
    this.L = options.L;
    this.logger = options.logger;
    this.pid = native().getpid();
    const n = native();
    const start = n.monotonic();
    this.pools = options.pools.map((config) => ({
      config, workers: new Set<Worker>(), nextFork: 0, immediateForks: 0, excessSince: 0, lastExcessExit: 0,
      schedules: config.listeners.flatMap((listener): Schedule[] => {
        if (listener.proto === 'interval') return [{ listener, due: start + listener.delay, running: null }];
        if (listener.proto === 'main') return [{ listener, due: start, running: null }];
        return [];
      }),
    }));
    const c = n.constants;
    n.signalIgnore(c.SIGPIPE);
    this.signalFd = n.signalPipe();
    for (const sig of [c.SIGTERM, c.SIGINT, c.SIGHUP, c.SIGCHLD]) n.signalCatch(sig);
  }

  /** Runs until shutdown is complete; returns the exit code. */
  run(): number {
    const n = native();
    for (;;) {
      const now = n.monotonic();
      let wake = Infinity;
      if (this.shutdown === 'none') {
        for (const pool of this.pools) wake = Math.min(wake, this.managePool(pool, now));
      }
      if (this.shutdown === 'graceful' && this.workers.size === 0) {
        this.logger.notice('All worker threads have terminated');
        break;
      }
      if (this.shutdown === 'fast') break;
      const compiling = this.compileQueue.length > 0 && this.shutdown === 'none';
      const ready = this.waitAndDispatch(compiling ? 0 : wake === Infinity ? -1 : Math.max(0, wake - n.monotonic()));
      if (compiling && ready === 0) this.precompileNext();
    }
    this.cleanup();
    this.logger.notice('Terminating with exit code 0');
    return 0;
  }

  // ------------------------------------------------------------------ pools

  /** Forks or retires workers of one pool; returns the next time it needs attention. */
  private managePool(pool: PoolRuntime, now: number): number {
    const cfg = pool.config;
    let wake = Infinity;
    let total = pool.workers.size;
    let unassigned = 0;
    let idle = 0;
    for (const w of pool.workers) {
      if (w.state === 'starting' || w.state === 'idle') unassigned++;
      if (w.state === 'idle') idle++;
    }
    while (total < cfg.maxFork && (unassigned < cfg.preFork || total < cfg.minFork)) {
      if (pool.immediateForks === 0 && now < pool.nextFork) {
        wake = Math.min(wake, pool.nextFork);
        break;
      }
      if (pool.immediateForks > 0) pool.immediateForks--;
      if (!this.forkWorker(pool)) {
        pool.nextFork = now + cfg.forkErrorDelay;
        wake = Math.min(wake, pool.nextFork);
        break;
      }
      pool.nextFork = now + cfg.forkDelay;
      total++;
      unassigned++;
    }
    // Excess idle workers leave one per exit_delay.
    if (total > cfg.minFork && idle > cfg.preFork) {
      if (pool.excessSince === 0) pool.excessSince = now;
      const due = Math.max(pool.excessSince, pool.lastExcessExit) + cfg.exitDelay;
      if (now >= due) {
        const victim = [...pool.workers].find((w) => w.state === 'idle');
        if (victim !== undefined) this.terminate(victim);
        pool.lastExcessExit = now;
        wake = Math.min(wake, now + cfg.exitDelay);
      } else {
        wake = Math.min(wake, due);
      }
    } else {
      pool.excessSince = 0;
    }
    wake = Math.min(wake, this.dispatchSchedules(pool, now));
    if (cfg.idleTimeout > 0) {
      for (const w of pool.workers) {
        if (w.state !== 'idle') continue;
        const due = w.idleSince + cfg.idleTimeout;
        if (now >= due) this.terminate(w);
        else wake = Math.min(wake, due);
      }
    }
    return wake;
  }

  /** Hands due interval and main runs to idle workers; returns the next due time. */
  private dispatchSchedules(pool: PoolRuntime, now: number): number {
    let wake = Infinity;
    for (const sched of [...pool.schedules]) {
      if (sched.running !== null) continue;
      if (sched.due > now) {
        wake = Math.min(wake, sched.due);
        continue;
      }
      let chosen: Worker | undefined;
      for (const w of pool.workers) {
        if (w.state === 'idle' && (chosen === undefined || w.idleSince < chosen.idleSince)) chosen = w;
      }
      if (chosen === undefined) break; // a worker reporting idle wakes the loop again
      if (!sendConnect(chosen.ctrlFd, sched.listener.index)) continue;
      this.logger.debug(`Dispatching ${sched.listener.proto} listener "${sched.listener.name}" to PID ${chosen.pid}`);
      chosen.state = 'busy';
      chosen.job = sched;
      chosen.jobDeferred = false;
      sched.running = chosen;
      if (sched.listener.proto === 'main') {
        chosen.ranMain = true;
        pool.schedules.splice(pool.schedules.indexOf(sched), 1);
      }
    }
    return wake;
  }

  /** An interval run ended: plan the next one (strict: on the grid, else one delay from now). */
  private finishJob(w: Worker): void {
    const sched = w.job;
    w.job = null;
    if (sched === null) return;
    sched.running = null;
    if (sched.listener.proto === 'interval') {
      const now = native().monotonic();
      sched.due = sched.listener.strict ? Math.max(sched.due + sched.listener.delay, now) : now + sched.listener.delay;
    }
  }

  private terminate(w: Worker): void {
    w.state = 'leaving';
    sendControl(w.ctrlFd, MSG_TERMINATE);
  }

  /**
   * Children inherit the master's heap copy-on-write: garbage in it and
   * half-empty pages are pages each worker's own collections later touch
   * (and so copy). So the master runs a full collection right before its
   * first fork, and again before a fork once its old generation (young
   * garbage does not count: it is gone by the next scavenge) grew by
   * RECOLLECT_AFTER_GROWTH (not before every fork: one takes milliseconds).
   * The collection compacts every page (collectFully(true)): page app worker
   * private memory after 500 requests 8.0 MiB without, 6.2 MiB with it, and
   * 11.3 against 13.7 MiB after 8,000 (one run each).
   */
  private collectBeforeFork(): void {
    if (this.heapAfterCollection >= 0 && oldGenerationUsed() - this.heapAfterCollection < RECOLLECT_AFTER_GROWTH) return;
    collectFully(true);
    this.heapAfterCollection = oldGenerationUsed();
  }

  /** Forks one worker; false if fork failed (logged). */
  private forkWorker(pool: PoolRuntime): boolean {
    const n = native();
    const c = n.constants;
    let ctrl: [number, number];
    let err: [number, number];
    try {
      ctrl = n.socketpair(c.AF_UNIX, c.SOCK_STREAM, false);
    } catch (e) {
      this.logger.error(`Could not create socket pair for child process: ${isErrnoError(e) ? e.strerror : String(e)}`);
      return false;
    }
    try {
      err = n.socketpair(c.AF_UNIX, c.SOCK_STREAM, false);
    } catch (e) {
      n.close(ctrl[0]);
      n.close(ctrl[1]);
      this.logger.error(`Could not create socket pair for child process: ${isErrnoError(e) ? e.strerror : String(e)}`);
      return false;
    }
    this.collectBeforeFork();
    let pid: number;
    try {
      pid = forkProcess();
    } catch (e) {
      for (const fd of [...ctrl, ...err]) n.close(fd);
      if (e instanceof ForkRefusedError) throw e;
      this.logger.error(`Error in fork: ${isErrnoError(e) ? e.strerror : String(e)}`);
      return false;
    }
    if (pid === 0) this.becomeWorker(pool, ctrl[1], err[1], [ctrl[0], err[0]]);
    n.close(ctrl[1]);
    n.close(err[1]);
    n.setNonBlocking(ctrl[0], true);
    n.setNonBlocking(err[0], true);
    const worker: Worker = {
      pid, pool, ctrlFd: ctrl[0], stderr: new StderrRelay(err[0], `[Pool #${pool.config.id}, PID ${pid}] `, this.logger),
      state: 'starting', idleSince: 0, saidGoodbye: false, wasReady: false, exit: null,
      job: null, jobDeferred: false, ranMain: false, ctrlPartial: null,
    };
    pool.workers.add(worker);
    this.workers.set(pid, worker);
    this.logger.stats(`Created child process in pool #${pool.config.id} with PID ${pid}`);
    return true;
  }

  /** In the child right after fork: drop the master's descriptors and run the worker loop. */
  private becomeWorker(pool: PoolRuntime, ctrlFd: number, errFd: number, masterEnds: number[]): never {
    const n = native();
    runChildCleanups();
    const close = (fd: number): void => {
      try {
        n.close(fd);
      } catch {
        // already closed
      }
    };
    masterEnds.forEach(close);
    for (const w of this.workers.values()) {
      close(w.ctrlFd);
      w.stderr.closeInChild();
    }
    for (const other of this.pools) {
      if (other === pool) continue;
      for (const l of other.config.listeners) if ('fd' in l && l.fd >= 0) close(l.fd);
    }
    n.dup2(errFd, 2);
    close(errFd);
    n.setNonBlocking(ctrlFd, true);
    return runWorker({ L: this.L, pool: pool.config, ctrlFd, masterPid: this.pid });
  }

  // ------------------------------------------------------------------ events

  /**
   * Files workers compiled and the master has not (see src/lua/chunk-cache.ts):
   * compiled one at a time when no event is waiting, so that workers forked
   * later start with them compiled.
   */
  private readonly compileQueue: Buffer[] = [];
  private readonly queuedForCompile = new Set<string>();

  private onCompiled(name: Buffer): void {
    const k = name.toString('latin1');
    if (this.queuedForCompile.has(k)) return;
    this.queuedForCompile.add(k);
    this.compileQueue.push(name);
  }

  private precompileNext(): void {
    const name = this.compileQueue.shift() as Buffer;
    this.queuedForCompile.delete(name.toString('latin1'));
    const result = precompile(this.L, name);
    if (result === 'compiled') this.logger.debug(`Compiled "${name.toString('utf8')}" for new workers`);
  }

  /** Waits for and handles events; returns how many descriptors were ready. */
  private waitAndDispatch(timeoutSeconds: number): number {
    const n = native();
    const c = n.constants;
    const entries: Array<{ fd: number; act: () => void }> = [{ fd: this.signalFd, act: () => this.readSignals() }];
    for (const w of this.workers.values()) {
      if (w.ctrlFd >= 0) entries.push({ fd: w.ctrlFd, act: () => this.readControl(w) });
      if (w.stderr.open) entries.push({ fd: w.stderr.fd, act: () => this.readStderr(w) });
    }
    const fds = new Int32Array(entries.length);
    const events = new Int16Array(entries.length).fill(c.POLLIN);
    const revents = new Int16Array(entries.length);
    entries.forEach((e, i) => { fds[i] = e.fd; });
    const ms = timeoutSeconds < 0 ? -1 : Math.ceil(timeoutSeconds * 1000);
    const ready = n.poll(fds, events, revents, entries.length, ms);
    if (ready > 0) {
      entries.forEach((e, i) => { if (revents[i] !== 0) e.act(); });
    }
    this.reap();
    return ready;
  }

  private readSignals(): void {
    const n = native();
    const c = n.constants;
    for (;;) {
      const r = n.read(this.signalFd, BUF, 0, BUF.length);
      if (r <= 0 && r !== -2) break;
      for (let i = 0; i < r; i++) {
        const sig = BUF[i];
        if (sig === c.SIGTERM) this.beginGracefulShutdown();
        else if (sig === c.SIGINT || sig === c.SIGHUP) this.fastShutdown();
        // SIGCHLD only wakes the loop; reap() runs after every turn.
      }
    }
  }

  private readControl(w: Worker): void {
    const n = native();
    for (;;) {
      let r: number;
      try {
        r = n.read(w.ctrlFd, BUF, 0, BUF.length);
      } catch {
        r = 0;
      }
      if (r === -2) continue;
      if (r === -1) return;
      if (r === 0) {
        if (!w.saidGoodbye) {
          this.logger.warning(`Child process in pool #${w.pool.config.id} with PID ${w.pid} unexpectedly closed control socket`);
        }
        n.close(w.ctrlFd);
        w.ctrlFd = -1;
        if (w.state !== 'leaving') w.state = 'leaving';
        this.maybeRemove(w);
        return;
      }
      const got = w.ctrlPartial === null ? BUF.subarray(0, r) : Buffer.concat([w.ctrlPartial, BUF.subarray(0, r)]);
      w.ctrlPartial = parseControl(got, (msg) => this.onMessage(w, msg), (name) => this.onCompiled(name));
    }
  }

  private onMessage(w: Worker, msg: number): void {
    if (msg === MSG_IDLE) {
      w.wasReady = true;
      if (w.job !== null) {
        if (w.jobDeferred) {
          // The connection it took first is done; now it runs the job.
          w.jobDeferred = false;
          return;
        }
        this.finishJob(w);
      }
      if (w.state === 'leaving') return;
      w.state = 'idle';
      w.idleSince = native().monotonic();
      if (this.shutdown !== 'none') this.terminate(w);
    } else if (msg === MSG_ACCEPTED) {
      if (w.job !== null) w.jobDeferred = true;
      if (w.state !== 'leaving') w.state = 'busy';
    } else if (msg === MSG_GOODBYE) {
      w.saidGoodbye = true;
      w.state = 'leaving';
    } else {
      this.logger.crit(`Unexpected control message 0x${msg.toString(16)} from child process with PID ${w.pid}`);
    }
  }

  private readStderr(w: Worker): void {
    w.stderr.read();
    this.maybeRemove(w);
  }

  private reap(): void {
    const n = native();
    for (;;) {
      let res: WaitResult | null;
      try {
        res = n.waitpid(-1, n.constants.WNOHANG);
      } catch {
        return; // ECHILD: no children
      }
      if (res === null) return;
      const w = this.workers.get(res.pid);
      if (w === undefined) continue;
      w.exit = res;
      this.maybeRemove(w);
    }
  }

  /** Removes a worker once it has exited and both of its sockets are drained. */
  private maybeRemove(w: Worker): void {
    if (w.exit === null || w.ctrlFd >= 0 || w.stderr.open) return;
    this.workers.delete(w.pid);
    w.pool.workers.delete(w);
    this.logExit(w, w.exit);
    this.finishJob(w);
    if (w.ranMain && this.shutdown === 'none') this.beginGracefulShutdown();
    if (this.shutdown !== 'none') return;
    if (w.wasReady) {
      w.pool.immediateForks++;
    } else {
      w.pool.nextFork = native().monotonic() + w.pool.config.forkErrorDelay;
    }
  }

  private logExit(w: Worker, res: WaitResult): void {
    const who = `Child process in pool #${w.pool.config.id} with PID ${w.pid}`;
    if (res.exited) {
      if (res.exitCode === 0) this.logger.stats(`${who} exited normally`);
      else this.logger.warning(`${who} returned with exit code ${res.exitCode}`);
    } else if (res.signaled) {
      const core = res.coreDumped ? ' (core dumped)' : '';
      if (res.signal === native().constants.SIGALRM) this.logger.warning(`${who} exited prematurely due to timeout${core}`);
      else this.logger.error(`${who} died from signal ${res.signal}${core}`);
    }
  }

  // ------------------------------------------------------------------ shutdown

  private closeListeners(): void {
    const n = native();
    for (const pool of this.pools) {
      for (const l of pool.config.listeners) {
        if ('fd' in l && l.fd >= 0) {
          n.close(l.fd);
          l.fd = -1;
        }
      }
    }
  }

  private beginGracefulShutdown(): void {
    if (this.shutdown !== 'none') {
      this.logger.notice('Shutdown already in progress');
      return;
    }
    this.shutdown = 'graceful';
    this.logger.notice('Initiate shutdown');
    this.closeListeners();
    const n = native();
    for (const w of this.workers.values()) {
      try {
        n.kill(w.pid, n.constants.SIGTERM);
      } catch (e) {
        this.logger.error(`Error while terminating child process: ${isErrnoError(e) ? e.strerror : String(e)}`);
      }
      if (w.state === 'idle' || w.state === 'starting') this.terminate(w);
    }
  }

  private fastShutdown(): void {
    if (this.shutdown === 'fast') return;
    this.logger.notice('Fast shutdown requested');
    this.shutdown = 'fast';
    this.killWorkers();
  }

  /** SIGKILLs every worker (fast shutdown, or the master failing). */
  killWorkers(): void {
    const n = native();
    for (const w of this.workers.values()) {
      this.logger.notice(`Sending SIGKILL to child with PID ${w.pid}`);
      try {
        n.kill(w.pid, n.constants.SIGKILL);
      } catch {
        // already gone
      }
    }
  }

  private cleanup(): void {
    this.closeListeners();
    for (const pool of this.pools) {
      for (const l of pool.config.listeners) {
        if (l.proto === 'local') {
          try {
            fs.unlinkSync(l.path);
          } catch {
            // already gone
          }
        }
      }
    }
  }
}
