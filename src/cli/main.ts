/**
 * The server's entry point, run by bin/moonbridge-lua under
 * `node --single-threaded --v8-pool-size=1`: Moonbridge's command line, log
 * set-up, loading the app, then the master loop. Exit codes as Moonbridge:
 * 0 normal, 1 command-line error, 2 already running, 3 startup error,
 * 4 runtime error.
 */
import { installSyncStdio } from './stdio';
installSyncStdio();

import * as fs from 'fs';
import { parseCommandLine, UsageError, USAGE, type CliOptions } from './options';
import { Logger } from '../server/log';
import { missingForkFlags, ForkRefusedError } from '../server/fork';
import { startServer } from '../server/startup';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_RUNNING = 2;
export const EXIT_STARTUP = 3;
export const EXIT_RUNTIME = 4;

function openLog(options: CliOptions): Logger {
  let fd = 2;
  if (options.logFile !== null) {
    try {
      fd = fs.openSync(options.logFile, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o640);
    } catch (err) {
      process.stderr.write(`Could not open logfile "${options.logFile}": ${(err as Error).message}\n`);
      process.exit(EXIT_STARTUP);
    }
  }
  return new Logger({ fd, debug: options.debug, stats: options.stats });
}

function unsupported(options: CliOptions): string | null {
  if (options.background) return '-b/--background';
  if (options.logFacility !== null) return '-f/--logfacility';
  if (options.logIdent !== null) return '-i/--logident';
  if (options.pidFile !== null) return '-p/--pidfile';
  return null;
}

export function main(argv: readonly string[]): number {
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
  const notYet = unsupported(options);
  if (notYet !== null) {
    process.stderr.write(`moonbridge-lua: option ${notYet} is not supported by this version\n${USAGE}`);
    return EXIT_USAGE;
  }
  const logger = openLog(options);
  const missing = missingForkFlags();
  if (missing.length > 0) {
    logger.crit(new ForkRefusedError(missing).message);
    return EXIT_STARTUP;
  }
  return startServer({ script: options.script as string, args: options.scriptArgs, logger });
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
