/**
 * The password file (~/.pgpass, PGPASSFILE or passfile=) as libpq reads it:
 * lines "hostname:port:database:username:password", '*' matching anything in
 * the first four fields, backslash escaping ':' and '\', '#' comment lines.
 * A file others can read or write is ignored with libpq's warning on stderr.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEBIAN_SOCKET_DIR } from './conninfo';

/** The password file libpq would use: passfile / PGPASSFILE, else ~/.pgpass. */
export function passfilePath(passfile: string | undefined): string | undefined {
  if (passfile !== undefined) return passfile;
  let home: string;
  try {
    home = os.homedir();
  } catch {
    return undefined;
  }
  return home === '' ? undefined : path.join(home, '.pgpass');
}

/** Splits a line into its fields, unescaping; the last field takes the rest of the line. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) cur += line[++i];
    else if (c === ':' && out.length < 4) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The password for host (a name, address or socket directory), port, dbname
 * and user, or undefined. The default socket directory counts as "localhost",
 * as in libpq.
 */
export function passwordFromFile(file: string, host: string, port: number, dbname: string, user: string, defaultSocketDir?: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined; // no file: nothing to say
  }
  if (!st.isFile()) {
    process.stderr.write(`WARNING: password file "${file}" is not a plain file\n`);
    return undefined;
  }
  if ((st.mode & 0o077) !== 0) {
    process.stderr.write(`WARNING: password file "${file}" has group or world access; permissions should be u=rw (0600) or less\n`);
    return undefined;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const hostname = host === '' || host === DEBIAN_SOCKET_DIR || host === defaultSocketDir ? 'localhost' : host;
  const wanted = [hostname, String(port), dbname, user];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const f = fields(line);
    if (f.length < 5) continue;
    if (wanted.every((w, i) => f[i] === '*' || f[i] === w)) return f[4] === '' ? undefined : f[4];
  }
  return undefined;
}
