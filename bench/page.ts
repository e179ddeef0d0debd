// The page scenario of `npm run bench` (step "page"): bench/apps/page.lua on
// moonbridge-lua against the same page rendered by bench/node-page.ts on
// Node's http, loaded with autocannon (keep-alive c=10, every body checked).

import * as http from 'http';
import type { Autocannon } from './load';

export const PAGE_CONNECTIONS = 10;
export const PAGE_PATH = '/page?title=Weekly+report+%26+more';

/** GET PAGE_PATH once: status and body. */
export function getPage(port: number, timeoutMs = 10000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.get({ host: '127.0.0.1', port, path: PAGE_PATH, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') });
      });
    });
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`GET ${PAGE_PATH} on port ${port}: no response within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    r.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Both servers must give status 200 and the same page (60 rows, the escaped title); returns it. */
export async function verifyPages(targets: Array<{ label: string; port: number }>): Promise<string> {
  const pages: string[] = [];
  for (const t of targets) {
    const r = await getPage(t.port);
    const rows = r.body.split('<tr ').length - 1;
    console.log(`check:   ${t.label.padEnd(15)} GET ${PAGE_PATH} -> ${r.status}, ${r.body.length} bytes, ${rows} rows`);
    if (r.status !== 200 || rows !== 60 || !r.body.includes('<h1>Weekly report &amp; more</h1>')) {
      throw new Error(`${t.label}: not the page (status ${r.status}, ${rows} rows)`);
    }
    pages.push(r.body);
  }
  if (pages.some((p) => p !== pages[0])) throw new Error('the two servers render different pages');
  return pages[0];
}

export interface PageRunResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  failures: number;
  detail: string;
}

export async function runPageLoad(port: number, expectBody: string, durationS: number): Promise<PageRunResult> {
  const autocannon = require('autocannon') as Autocannon;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${PAGE_PATH}`,
    connections: PAGE_CONNECTIONS,
    duration: durationS,
    pipelining: 1,
    expectBody,
  });
  const details: string[] = [];
  if (r.non2xx > 0) details.push(`${r.non2xx} non-2xx`);
  if (r.mismatches > 0) details.push(`${r.mismatches} wrong pages`);
  if (r.errors > 0) details.push(`${r.errors} errors (${r.timeouts} timeouts)`);
  return {
    requests: r.requests.total,
    seconds: r.duration,
    requestsPerSecond: r.duration > 0 ? r.requests.total / r.duration : 0,
    failures: r.non2xx + r.errors + r.mismatches,
    detail: details.join(', '),
  };
}
