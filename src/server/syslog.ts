/**
 * The syslog sink of the log (-f, -i, or -b without -l): openlog with
 * LOG_PID|LOG_NDELAY, one syslog call per log line, no timestamp prefix,
 * the priority of the log level.
 */
import { native } from '../native/binding';
import type { LogLevel } from './log';

const DEFAULT_IDENT = 'moonbridge';

/** The facility number for a -f value: DAEMON, USER (also for null) or 0..7 for LOCAL0..LOCAL7. */
function facilityNumber(name: string | null): number {
  const c = native().constants;
  if (name === null || name === 'USER') return c.LOG_USER;
  if (name === 'DAEMON') return c.LOG_DAEMON;
  const locals = [c.LOG_LOCAL0, c.LOG_LOCAL1, c.LOG_LOCAL2, c.LOG_LOCAL3, c.LOG_LOCAL4, c.LOG_LOCAL5, c.LOG_LOCAL6, c.LOG_LOCAL7];
  if (/^[0-7]$/.test(name)) return locals[Number(name)];
  throw new RangeError(`invalid log facility "${name}"`);
}

function priority(level: LogLevel): number {
  const c = native().constants;
  switch (level) {
    case 'debug': return c.LOG_DEBUG;
    case 'info': return c.LOG_INFO;
    case 'notice': return c.LOG_NOTICE;
    case 'warning': return c.LOG_WARNING;
    case 'error': return c.LOG_ERR;
    case 'crit': return c.LOG_CRIT;
  }
}

export class SyslogSink {
  /** Calls openlog(ident, LOG_PID|LOG_NDELAY, facility). */
  constructor(ident: string | null, facility: string | null) {
    const n = native();
    n.openlog(ident ?? DEFAULT_IDENT, n.constants.LOG_PID | n.constants.LOG_NDELAY, facilityNumber(facility));
  }

  /** Logs one line (without newline) at the level's priority. */
  write(level: LogLevel, line: string): void {
    native().syslog(priority(level), line);
  }
}
