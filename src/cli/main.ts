/**
 * The server's entry point, run by bin/moonbridge-lua under
 * `node --single-threaded --v8-pool-size=1`: Moonbridge's command line, the
 * locked log and PID files, daemonizing (-b), log set-up (stderr, file,
 * syslog), loading the app, then the master loop. Exit codes as Moonbridge:
 * 0 normal, 1 command-line error, 2 already running, 3 startup error,
 * 4 runtime error.
 */
import { installSyncStdio } from './stdio';
installSyncStdio();

import * as fs from 'fs';
import { parseCommandLine, UsageError, USAGE, type CliOptions } from './options';
import { Logger } from '../server/log';
import { SyslogSink } from '../server/syslog';
import { registerChildCleanup } from '../server/child-cleanup';
import { missingForkFlags, ForkRefusedError } from '../server/fork';
import { startServer } from '../server/startup';
import { openLogFile, PidFile, StartupFileError } from './files';
import { daemonize, isDaemon } from './daemon';
import { native } from '../native/binding';
import { flushAll, setProcessExit } from '../lua/stdlib/lifecycle';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_RUNNING = 2;
export const EXIT_STARTUP = 3;
export const EXIT_RUNTIME = 4;

/**
 * Where log lines go: the -l file, else stderr (in the foreground); syslog
 * on top with -f or -i, and instead of stderr with -b.
 */
function makeLogger(options: CliOptions, logFd: number | null, background: boolean): Logger {
  const wantSyslog = options.logFacility !== null || options.logIdent !== null || (background && logFd === null);
  const syslog = wantSyslog ? new SyslogSink(options.logIdent, options.logFacility) : null;
  const fd = logFd ?? (background ? null : 2);
  return new Logger({ fd, syslog, debug: options.debug, stats: options.stats });
}

export function main(argv: readonly string[]): number | Promise<number> {
  let options: CliOptions;
  try {
    options = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`moonbridge-lua: ${err.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  let logFd: number | null = null;
  let pidFile: PidFile | null = null;
  try {
    if (options.logFile !== null) logFd = openLogFile(options.logFile);
    if (options.pidFile !== null) pidFile = PidFile.open(options.pidFile);
  } catch (err) {
    if (!(err instanceof StartupFileError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  // Workers drop the master's PID file and log file (and their locks).
  const openLog = logFd;
  const openPid = pidFile;
  if (openLog !== null) registerChildCleanup(() => fs.closeSync(openLog));
  if (openPid !== null) registerChildCleanup(() => openPid.closeInChild());
  const run = (): number | Promise<number> => {
    const missing = missingForkFlags();
    if (missing.length > 0) {
      makeLogger(options, logFd, false).crit(new ForkRefusedError(missing).message);
      return EXIT_STARTUP;
    }
    if (options.background) {
      daemonize();
      pidFile?.adopt();
    }
    const logger = makeLogger(options, logFd, options.background);
    // os.exit in the master (its Lua files are flushed by then): the same
    // ending as below, without returning through the Lua call.
    setProcessExit((code) => {
      openPid?.remove();
      if (isDaemon()) native()._exit(code);
      process.exit(code);
    });
    return startServer({
      script: options.script as string,
      args: options.scriptArgs,
      logger,
      onStarted: openPid === null ? undefined : () => {
        try {
          openPid.write();
        } catch (err) {
          throw new Error(`Could not write PID file "${openPid.path}": ${(err as Error).message}`);
        }
      },
    });
  };
  let result: number | Promise<number>;
  try {
    result = run();
  } catch (err) {
    pidFile?.remove();
    throw err;
  }
  // A .mjs entry is imported: the server runs once the import settled.
  if (result instanceof Promise) return result.finally(() => pidFile?.remove());
  pidFile?.remove();
  return result;
}

/** The end of the process, with the server's exit code. */
function end(code: number): never {
  // What the app wrote to io.stdout and its files, as C's exit() would.
  flushAll();
  // The daemon is a forked copy of node: process.exit would hang there (the
  // log and stdio are written synchronously, so nothing is lost by _exit).
  if (isDaemon()) native()._exit(code);
  process.exit(code);
}

if (require.main === module) {
  const code = main(process.argv.slice(2));
  if (code instanceof Promise) {
    code.then(end, (err: unknown) => {
      process.stderr.write(`moonbridge-lua: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      end(EXIT_RUNTIME);
    });
  } else {
    end(code);
  }
}
