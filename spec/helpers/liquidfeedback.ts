/**
 * A LiquidFeedback installation for the acceptance spec, built from an
 * unpacked copy of its sources (LF_SRC: a folder with lfframework/ (WebMCP
 * 2.1.0), lffrontend/ (frontend 3.2.1), lfcore/ (core.sql) and etc/
 * (fixtures, frontend-server), as the rooset repository holds them).
 *
 * As WebMCP's `make symlinks` would, the pure-Lua libraries are copied
 * into framework/lib/ (no C is compiled: the C modules come from
 * moonbridge-lua). Compiled .so files that the tree may carry stay where
 * they are, as on a server set up for the C Moonbridge; moonbridge-lua must
 * never load them. Nothing of LF_SRC is modified: the framework and the
 * frontend are copied into a temporary folder, and the test's config file
 * is written there.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

/** The Lua libraries `make symlinks` links into framework/lib/. */
const LIBRARY_FILES = [
  'atom/atom.lua',
  'mondelefant/mondelefant.lua',
  'mondelefant/mondelefant_atom_connector.lua',
  'nihil/nihil.lua',
  'luatex/luatex.lua',
];

/** Why LF_SRC cannot be used, or null if it has everything the spec needs. */
export function lfSourceProblem(src: string | undefined): string | null {
  if (src === undefined || src === '') return 'LF_SRC is not set (point it at an unpacked copy of LiquidFeedback 3.2.1 with lfframework/, lffrontend/, lfcore/ and etc/, e.g. the rooset repository at 13c5293)';
  for (const rel of ['lfframework/framework/bin/mcp.lua', 'lffrontend/app/main', 'lfcore/core.sql', 'etc/fixtures/01_test_world.sql', 'etc/frontend-server']) {
    if (!fs.existsSync(path.join(src, rel))) return `LF_SRC=${src} has no ${rel}`;
  }
  return null;
}

export interface LfTree {
  root: string;
  framework: string;
  frontend: string;
  configName: string;
  /** The start command of etc/frontend-server, as arguments after the moonbridge program. */
  serverArgs: string[];
  /** Removes the tree. */
  remove(): void;
}

export interface LfConfig {
  port: number;
  database: Record<string, string>;
  /** Extra Lua lines for the config file. */
  extra?: string;
}

/** The test's config file (frontend/config/<name>.lua). */
function configText(c: LfConfig): string {
  const db = Object.entries(c.database).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ');
  return `-- moonbridge-lua acceptance test configuration
config.instance_name = "moonbridge-lua-acceptance"
config.app_service_provider = "moonbridge-lua acceptance test"
config.use_terms = "<h1>Terms of Use</h1><p>Test</p>"
config.absolute_base_url = "http://127.0.0.1:${c.port}/"
config.localhost = true
config.port = ${c.port}
config.database = { engine = "postgresql", ${db} }
config.enforce_formatting_engine = "markdown2"
config.formatting_engines = {
  { id = "markdown2", name = "python-markdown2", executable = "markdown2",
    args = { "-s", "escape", "-x", "nofollow,wiki-tables" }, remove_images = true },
}
config.public_access = "everything"
config.enabled_languages = { "en" }
${c.extra ?? ''}
`;
}

/**
 * The arguments etc/frontend-server passes to moonbridge (mcp.lua, the
 * framework folder, the frontend folder, the app name and the config name),
 * with the folders and the config replaced by the test's own.
 */
export function frontendServerArgs(src: string, framework: string, frontend: string, configName: string): string[] {
  const script = fs.readFileSync(path.join(src, 'etc', 'frontend-server'), 'utf8');
  const words = script.replace(/\\\n/g, ' ').split(/\s+/).filter((w) => w !== '');
  const at = words.findIndex((w) => /(^|\/)moonbridge$/.test(w));
  if (at < 0 || words.length < at + 6 || !words[at + 1].endsWith('mcp.lua')) {
    throw new Error(`cannot read the moonbridge command in ${src}/etc/frontend-server`);
  }
  return [path.join(framework, 'bin', 'mcp.lua'), framework + '/', frontend + '/', words[at + 4], configName];
}

/** Copies the framework (with the Lua libraries) and the frontend into a temporary folder and writes the config. */
export function buildLfTree(src: string, config: LfConfig): LfTree {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-lf-'));
  const framework = path.join(root, 'framework');
  const frontend = path.join(root, 'frontend');
  fs.cpSync(path.join(src, 'lfframework', 'framework'), framework, { recursive: true });
  for (const file of LIBRARY_FILES) {
    fs.copyFileSync(path.join(src, 'lfframework', 'libraries', file), path.join(framework, 'lib', path.basename(file)));
  }
  fs.cpSync(path.join(src, 'lffrontend'), frontend, { recursive: true });
  const configName = 'moonbridge_lua_acceptance';
  fs.writeFileSync(path.join(frontend, 'config', `${configName}.lua`), configText(config));
  return {
    root, framework, frontend, configName,
    serverArgs: frontendServerArgs(src, framework, frontend, configName),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** The SQL files loaded into a fresh database, in order (as etc/init-test-db loads them). */
export function lfSqlFiles(src: string): string[] {
  return [path.join(src, 'lfcore', 'core.sql'), path.join(src, 'etc', 'fixtures', '00_utils.sql'), path.join(src, 'etc', 'fixtures', '01_test_world.sql')];
}

export interface Page {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes. */
  raw: Buffer;
  /** Milliseconds from sending the request to the end of the body. */
  ms: number;
  /** Where the request went (an absolute URL). */
  url: string;
}

export interface FormField { name: string; value: string; type: string; checked: boolean }
export interface Form { action: string; method: string; fields: FormField[] }

function attr(attrs: string, name: string): string | null {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs);
  return m === null ? null : decodeEntities(m[1]);
}

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|quot|amp|#39);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'" } as Record<string, string>)[e]);
}

/** The forms of an HTML page with their fields (inputs, textareas, selects), as a browser would submit them. */
export function parseForms(html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    const fields: FormField[] = [];
    for (const f of m[2].matchAll(/<(input|textarea|select)([^>]*)>/g)) {
      const name = attr(f[2], 'name');
      if (name === null) continue;
      const type = f[1] === 'input' ? attr(f[2], 'type') ?? 'text' : f[1];
      fields.push({ name, value: attr(f[2], 'value') ?? '', type, checked: /\bchecked\b/.test(f[2]) });
    }
    forms.push({ action: attr(m[1], 'action') ?? '', method: (attr(m[1], 'method') ?? 'GET').toUpperCase(), fields });
  }
  return forms;
}

/** The values a browser would send for a form (checked boxes only, no submit buttons), with overrides. */
export function formValues(form: Form, overrides: Record<string, string | null> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of form.fields) {
    if (f.type === 'submit' || ((f.type === 'checkbox' || f.type === 'radio') && !f.checked)) continue;
    values[f.name] = f.value;
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete values[k];
    else values[k] = v;
  }
  return values;
}

/**
 * A browser for the spec: one keep-alive connection pool, a cookie jar,
 * relative URLs resolved against the page they came from, no automatic
 * redirects (the spec checks them).
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(readonly base: string) {}

  resolve(url: string, from = this.base): string {
    return new URL(url, from).toString();
  }

  request(method: string, url: string, body?: Record<string, string>, from?: string): Promise<Page> {
    const target = this.resolve(url, from);
    const data = body === undefined ? undefined : Buffer.from(new URLSearchParams(body).toString());
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (data !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(data.length);
    }
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = http.request(target, { method, headers, agent: this.agent, timeout: 30000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
            const [pair] = c.split(';');
            const eq = pair.indexOf('=');
            this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
          }
          const raw = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw,
            ms: Number(process.hrtime.bigint() - started) / 1e6, url: target,
          });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${target}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  get(url: string, from?: string): Promise<Page> {
    return this.request('GET', url, undefined, from);
  }

  /** Submits the page's form whose action ends with `action`, with the given field values changed. */
  async submit(page: Page, action: string, overrides: Record<string, string | null> = {}): Promise<Page> {
    const form = parseForms(page.body).find((f) => f.action.endsWith(action));
    if (form === undefined) throw new Error(`${page.url} has no form with action ...${action} (forms: ${parseForms(page.body).map((f) => f.action).join(', ')})`);
    return this.request('POST', form.action, formValues(form, overrides), page.url);
  }

  close(): void {
    this.agent.destroy();
  }
}
