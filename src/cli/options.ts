/**
 * Moonbridge's command line, parsed like GNU getopt_long with the short
 * option string "bdf:hi:l:p:s": options may be grouped (-ds), take their
 * argument attached or separate (-lFILE, -l FILE, --logfile=FILE), and may
 * appear after the script name (argument permutation) unless "--" ends the
 * options. The first non-option is the script; the rest go to its `...`.
 */

export interface CliOptions {
  background: boolean;
  debug: boolean;
  stats: boolean;
  help: boolean;
  logFacility: string | null;
  logIdent: string | null;
  logFile: string | null;
  pidFile: string | null;
  script: string | null;
  scriptArgs: string[];
}

export class UsageError extends Error {}

export const USAGE =
  'Usage: moonbridge-lua [-b|--background] [-d|--debug] [-f|--logfacility {DAEMON|USER|0..7}] ' +
  '[-i|--logident <ident>] [-l|--logfile <file>] [-p|--pidfile <file>] [-s|--stats] ' +
  '-- <Lua script> [<args for the script>]\n';

const LONG: Record<string, string> = {
  background: 'b', debug: 'd', logfacility: 'f', help: 'h', logident: 'i', logfile: 'l', pidfile: 'p', stats: 's',
};
const WITH_ARGUMENT = new Set(['f', 'i', 'l', 'p']);
const FACILITIES = /^(DAEMON|USER|[0-7])$/;

export function parseCommandLine(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    background: false, debug: false, stats: false, help: false,
    logFacility: null, logIdent: null, logFile: null, pidFile: null,
    script: null, scriptArgs: [],
  };
  const positional: string[] = [];
  const apply = (letter: string, value: string | null): void => {
    switch (letter) {
      case 'b': opts.background = true; break;
      case 'd': opts.debug = true; opts.stats = true; break;
      case 's': opts.stats = true; break;
      case 'h': opts.help = true; break;
      case 'f':
        if (value === null || !FACILITIES.test(value)) {
          throw new UsageError(`Invalid log facility "${value ?? ''}" (expected DAEMON, USER or 0..7)`);
        }
        opts.logFacility = value;
        break;
      case 'i': opts.logIdent = value; break;
      case 'l': opts.logFile = value; break;
      case 'p': opts.pidFile = value; break;
      default: throw new UsageError(`Unknown option -${letter}`);
    }
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { i++; break; }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const letter = LONG[name];
      if (letter === undefined) throw new UsageError(`Unknown option ${arg}`);
      let value: string | null = null;
      if (WITH_ARGUMENT.has(letter)) {
        if (eq >= 0) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length) value = argv[++i];
        else throw new UsageError(`Option --${name} requires an argument`);
      } else if (eq >= 0) {
        throw new UsageError(`Option --${name} does not take an argument`);
      }
      apply(letter, value);
    } else if (arg.length > 1 && arg[0] === '-') {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        if (WITH_ARGUMENT.has(letter)) {
          let value: string;
          if (j + 1 < arg.length) value = arg.slice(j + 1);
          else if (i + 1 < argv.length) value = argv[++i];
          else throw new UsageError(`Option -${letter} requires an argument`);
          apply(letter, value);
          break;
        }
        apply(letter, null);
      }
    } else {
      positional.push(arg);
    }
  }
  positional.push(...argv.slice(i));
  if (positional.length > 0) {
    opts.script = positional[0];
    opts.scriptArgs = positional.slice(1);
  }
  if (opts.script === null && !opts.help) throw new UsageError('No Lua script given');
  return opts;
}
