/**
 * The master's log, in Moonbridge's format: every line prefixed with the local
 * time as "YYYY-MM-DD HH:MM:SS TZ: ", multi-line messages split into lines,
 * messages over 4095 bytes truncated with a notice. Written synchronously.
 * Lines may also (or only) go to syslog, without the time prefix.
 */
import { writeAll } from '../io/fd-wait';
import { native } from '../native/binding';
import type { SyslogSink } from './syslog';

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'crit';

const MAX_MESSAGE = 4095;

export interface LoggerOptions {
  /** Descriptor the lines go to (2 = stderr, or an opened log file); null for syslog only. */
  fd: number | null;
  /** Also send every line to syslog. */
  syslog?: SyslogSink | null;
  /** Log debug messages (-d). */
  debug: boolean;
  /** Log worker statistics (-s, implied by -d). */
  stats: boolean;
}

export class Logger {
  readonly debugEnabled: boolean;
  readonly statsEnabled: boolean;
  private readonly fd: number | null;
  private readonly syslog: SyslogSink | null;

  constructor(options: LoggerOptions) {
    this.fd = options.fd;
    this.syslog = options.syslog ?? null;
    this.debugEnabled = options.debug;
    this.statsEnabled = options.stats || options.debug;
  }

  log(level: LogLevel, message: string): void {
    if (level === 'debug' && !this.debugEnabled) return;
    let bytes = Buffer.from(message, 'utf8');
    let truncated = false;
    if (bytes.length > MAX_MESSAGE) {
      bytes = bytes.subarray(0, MAX_MESSAGE);
      truncated = true;
    }
    const lines = bytes.toString('utf8').split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    if (truncated) lines.push('Previous log message has been truncated due to excessive length');
    if (this.syslog !== null) {
      for (const line of lines) {
        try {
          this.syslog.write(level, line);
        } catch {
          // as below: drop the line
        }
      }
    }
    if (this.fd === null) return;
    const prefix = native().strftime('%Y-%m-%d %H:%M:%S %Z: ', Math.floor(Date.now() / 1000), false);
    let out = '';
    for (const line of lines) out += prefix + line + '\n';
    try {
      writeAll(this.fd, Buffer.from(out, 'utf8'));
    } catch {
      // Nowhere left to report a failing log: drop the line, keep serving.
    }
  }

  debug(message: string): void { this.log('debug', message); }
  info(message: string): void { this.log('info', message); }
  notice(message: string): void { this.log('notice', message); }
  warning(message: string): void { this.log('warning', message); }
  error(message: string): void { this.log('error', message); }
  crit(message: string): void { this.log('crit', message); }
  /** Statistics (-s): logged at info level, only when enabled. */
  stats(message: string): void { if (this.statsEnabled) this.log('info', message); }
}
