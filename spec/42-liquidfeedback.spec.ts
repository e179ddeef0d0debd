/**
 * Acceptance: LiquidFeedback 3.2.1 (WebMCP 2.1.0) runs unmodified on
 * moonbridge-lua against a real PostgreSQL 15. Needs LF_SRC (an unpacked
 * copy of the sources: lfframework/, lffrontend/, lfcore/, etc/, as the
 * rooset repository at 13c5293 holds them), PostgreSQL 15 and markdown2
 * (Debian python3-markdown2); skipped with a message otherwise (CI has no
 * copy of LiquidFeedback).
 *
 * The spec creates a private cluster, loads core.sql and the fixtures (24
 * members, admin with password "login"), copies the framework (with the Lua
 * libraries `make symlinks` would link) and the frontend into a temporary
 * folder with its own config file, and starts the server as
 * etc/frontend-server starts it. Then it walks through what a user does and
 * what the C server does with the same tree, and prints the page times.
 */
import { strict as assert } from 'assert';
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PG_MISSING, SUPERUSER, findPgBin, startCluster, type PgCluster } from './helpers/pg-cluster';
import { Browser, buildLfTree, lfSourceProblem, lfSqlFiles, type LfTree, type Page } from './helpers/liquidfeedback';
import { freePort, killAll, startServer, waitFor, type RunningServer } from './helpers/server';

const SYSTEM_ERROR = 'A system error occured';
const LF_SRC = process.env.LF_SRC ?? '';

function markdown2Found(): boolean {
  return spawnSync('markdown2', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The page is a rendered page, not WebMCP's error page. */
function assertPage(page: Page, status = 200): void {
  assert.equal(page.status, status, `${page.url}: status ${page.status}\n${page.body.slice(0, 2000)}`);
  assert.ok(!page.body.includes(SYSTEM_ERROR), `${page.url} is WebMCP's error page:\n${page.body.replace(/<[^>]+>/g, ' ').slice(0, 3000)}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function timing(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `median ${percentile(s, 0.5).toFixed(1)} ms, p90 ${percentile(s, 0.9).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length} pages)`;
}

describe('LiquidFeedback 3.2.1 on moonbridge-lua (acceptance, LF_SRC)', function () {
  this.timeout(180000);
  let cluster: PgCluster | null = null;
  let tree: LfTree | null = null;
  let server: RunningServer | null = null;
  let browser: Browser;
  let adminHash = '';
  const pageTimes: number[] = [];
  const keepAliveTimes: number[] = [];
  const concurrentTimes: number[] = [];

  const sql = (query: string): string => (cluster as PgCluster).psql(query, 'liquid_feedback').trim();

  /** A GET whose time counts for the page-time summary. */
  const load = async (url: string, b = browser): Promise<Page> => {
    const page = await b.get(url);
    pageTimes.push(page.ms);
    return page;
  };

  before(async function () {
    const problem = lfSourceProblem(LF_SRC) ?? (findPgBin() === null ? PG_MISSING : null)
      ?? (markdown2Found() ? null : 'markdown2 not found (Debian: apt-get install python3-markdown2)');
    if (problem !== null) {
      console.log(`      (skipped: ${problem})`);
      this.skip();
    }
    cluster = await startCluster({ settings: { max_connections: '100' } });
    cluster.psql('CREATE DATABASE liquid_feedback');
    const psql = path.join(findPgBin() as string, 'psql');
    for (const file of lfSqlFiles(LF_SRC)) {
      const r: SpawnSyncReturns<string> = spawnSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', cluster.socketDir, '-p', String(cluster.port),
        '-U', SUPERUSER, '-d', 'liquid_feedback', '-f', file], { encoding: 'utf8', timeout: 120000 });
      assert.equal(r.status, 0, `loading ${file}: ${r.stderr}`);
    }
    adminHash = sql("SELECT password FROM member WHERE login = 'admin'");
    const port = await freePort();
    tree = buildLfTree(LF_SRC, {
      port,
      database: { dbname: 'liquid_feedback', host: '127.0.0.1', port: String(cluster.port), user: SUPERUSER },
    });
    server = startServer(tree.serverArgs);
    browser = new Browser(`http://127.0.0.1:${port}/`);
    // patiently: a worker's first page takes about a second, and a client
    // that gives up earlier makes the worker fail on a broken pipe
    await waitFor(() => browser.get('static/lf3.css').then((p) => p.status === 200, () => false), 30000, 'LiquidFeedback')
      .catch((err: Error) => { throw new Error(`${err.message}\n${(server as RunningServer).stderr()}`); });
  });

  after(function () {
    browser?.close();
    if (pageTimes.length > 0) console.log(`      page times, all GETs: ${timing(pageTimes)}`);
    if (keepAliveTimes.length > 0) console.log(`      50 sequential keep-alive loads: ${timing(keepAliveTimes)}`);
    if (concurrentTimes.length > 0) console.log(`      20 concurrent loads: ${timing(concurrentTimes)}`);
    killAll();
    cluster?.stop();
    tree?.remove();
  });

  it('serves the start page with a session cookie', async function () {
    const page = await load('');
    assertPage(page);
    assert.ok(page.body.includes('LiquidFeedback'), page.body.slice(0, 500));
    assert.match(String(page.headers['set-cookie']), /liquid_feedback_session=[A-Za-z0-9]+; path=\//);
    assert.ok(browser.cookies.has('liquid_feedback_session'));
  });

  it('renders unit and area pages from the database', async function () {
    const unit = await load('unit/show/1.html');
    assertPage(unit);
    const unitName = sql('SELECT name FROM unit WHERE id = 1');
    assert.ok(unit.body.includes(unitName), `unit page without "${unitName}"`);
    const area = await load('area/show/1.html');
    assertPage(area);
    const areaName = sql('SELECT name FROM area WHERE id = 1');
    assert.ok(area.body.includes(areaName), `area page without "${areaName}"`);
  });

  it('serves static files byte-exact', async function () {
    for (const file of ['static/lf3.css', 'static/js/jquery-1.11.1.min.js', 'static/icons/16/magnifier.png']) {
      const page = await browser.get(file);
      assert.equal(page.status, 200, file);
      assert.ok(page.raw.equals(fs.readFileSync(path.join((tree as LfTree).frontend, file))), `${file} differs`);
    }
  });

  it('refuses a wrong password, and a POST without the CSRF secret gets the framework error', async function () {
    const form = await load('index/login.html');
    assertPage(form);
    const wrong = await browser.submit(form, 'index/login', { login: 'admin', password: 'not the password' });
    assertPage(wrong);
    assert.ok(wrong.body.includes('Invalid login name or password!'), 'no refusal message');
    assert.ok(!wrong.body.includes('Admin #1'));
    const forged = await browser.submit(form, 'index/login', { login: 'admin', password: 'login', _webmcp_csrf_secret: null });
    assert.equal(forged.status, 500);
    assert.ok(forged.body.includes(SYSTEM_ERROR) && forged.body.includes('Cross-Site Request Forgery attempt detected'), forged.body.slice(0, 1000));
    assert.equal(sql("SELECT password FROM member WHERE login = 'admin'"), adminHash, 'nothing logged in');
  });

  it('logs the admin in (303 to the start page), shows "Admin #1" and rehashes the password as $6$rounds=N$', async function () {
    assert.match(adminHash, /^\$1\$/);
    const form = await load('index/login.html');
    const done = await browser.submit(form, 'index/login', { login: 'admin', password: 'login' });
    assert.equal(done.status, 303, done.body.slice(0, 1000));
    assert.match(String(done.headers.location), /^\.\.\/index\/index\.html\?_tempstore=[a-z0-9]+$/);
    const home = await load(browser.resolve(String(done.headers.location), done.url));
    assertPage(home);
    assert.ok(home.body.includes('Admin #1'), 'start page does not show the admin');
    const hash = sql("SELECT password FROM member WHERE login = 'admin'");
    const m = /^\$6\$rounds=(\d+)\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/.exec(hash);
    assert.ok(m !== null, `not rehashed as SHA-512 crypt: ${hash}`);
    const rounds = Number(m[1]);
    assert.ok(rounds >= 10000 && rounds <= 20000, `rounds=${rounds}`);
  });

  it('edits the profile, rendered by markdown2 through extos.pfilter', async function () {
    const edit = await load('member/edit.html');
    assertPage(edit);
    const saved = await browser.submit(edit, 'member/update', {
      realname: 'Ada Admin', statement: 'Runs on **moonbridge-lua**\n\n* one\n* two\n',
    });
    assert.equal(saved.status, 303, saved.body.slice(0, 1000));
    const profile = await load('member/show/24.html');
    assertPage(profile);
    assert.ok(profile.body.includes('Runs on <strong>moonbridge-lua</strong>') && profile.body.includes('<li>one</li>'),
      'statement not rendered by markdown2');
    assert.equal(sql('SELECT realname FROM member WHERE id = 24'), 'Ada Admin');
  });

  it('grants the admin voting rights in unit 1 and creates an issue with an initiative in area 1', async function () {
    assert.equal(sql('SELECT count(*) FROM privilege WHERE member_id = 24 AND unit_id = 1'), '0');
    const edit = await load('admin/member_edit/24.html');
    assertPage(edit);
    const granted = await browser.submit(edit, 'admin/member_update', { unit_1: '1' });
    assert.equal(granted.status, 303, granted.body.slice(0, 1000));
    assert.equal(sql('SELECT voting_right FROM privilege WHERE member_id = 24 AND unit_id = 1'), 't');
    assert.equal(sql('SELECT admin FROM member WHERE id = 24'), 't', 'still an admin');

    const form = await load('initiative/new.html?area_id=1');
    assertPage(form);
    const policy = sql("SELECT min(policy_id) FROM allowed_policy WHERE area_id = 1");
    const created = await browser.submit(form, 'initiative/create', {
      policy_id: policy, name: 'Moonbridge on Node', draft: 'LiquidFeedback on **moonbridge-lua**.', preview: null,
    });
    assert.equal(created.status, 303, created.body.replace(/<[^>]+>/g, ' ').slice(0, 3000));
    assert.equal(sql("SELECT i.name || ' / ' || s.area_id FROM initiative i JOIN issue s ON s.id = i.issue_id"), 'Moonbridge on Node / 1');
    const shown = await load(browser.resolve(String(created.headers.location), created.url));
    assertPage(shown);
    assert.ok(shown.body.includes('Moonbridge on Node') && shown.body.includes('<strong>moonbridge-lua</strong>'));
  });

  it('logs out, and in again with the rehashed password', async function () {
    const profile = await load('member/show/24.html');
    const out = await browser.submit(profile, 'index/logout');
    assert.equal(out.status, 303, out.body.slice(0, 1000));
    const anonymous = await load('index/index.html');
    assertPage(anonymous);
    assert.ok(!anonymous.body.includes('Admin #1'), 'still logged in');
    const form = await load('index/login.html');
    const again = await browser.submit(form, 'index/login', { login: 'admin', password: 'login' });
    assert.equal(again.status, 303);
    const back = await load(browser.resolve(String(again.headers.location), again.url));
    assert.ok(back.body.includes('Admin #1'));
  });

  it('runs the interval pool: "Sending notifications for event ..." on stderr for 12 s, without errors', async function () {
    const start = (server as RunningServer).stderr().length;
    await new Promise((r) => setTimeout(r, 12000));
    const log = (server as RunningServer).stderr().slice(start);
    assert.match(log, /Sending notifications for event \d+ to \d+ members/, log);
    assert.doesNotMatch(log, /error|returned with exit code [^0]|terminated by signal/i, log);
  });

  it('answers 50 sequential keep-alive and 20 concurrent page loads without a worker crash', async function () {
    const pages = ['index/index.html', 'unit/show/1.html', 'area/show/1.html', 'initiative/show/1.html', 'member/show/24.html'];
    for (let i = 0; i < 50; i++) {
      const page = await load(pages[i % pages.length]);
      assertPage(page);
      keepAliveTimes.push(page.ms);
    }
    const others = Array.from({ length: 20 }, () => new Browser(browser.base));
    for (const b of others) b.cookies.set('liquid_feedback_session', browser.cookies.get('liquid_feedback_session') as string);
    const concurrent = await Promise.all(others.map((b, i) => load(pages[i % pages.length], b)));
    others.forEach((b) => b.close());
    concurrent.forEach((p) => {
      assertPage(p);
      concurrentTimes.push(p.ms);
    });
    const log = (server as RunningServer).stderr();
    assert.doesNotMatch(log, /returned with exit code [^0]|terminated by signal|Error in/, log);
  });
});
