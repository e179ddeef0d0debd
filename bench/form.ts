// The form-POST scenario group of `npm run bench` (`--only form`):
// bench/apps/form.lua on moonbridge-lua against bench/node-form.ts on Node
// http, POST /urlencoded (~1 KB, 10 fields) and POST /upload (multipart,
// 1 MiB file + 2 fields), keep-alive c=10, servers alternating, median.
//
// Always driven by autocannon (it can send a fixed POST body with its
// `method`/`body`/`headers` options; wrk would need a Lua script), for both
// servers alike.

import * as http from 'http';
import { FormRequest, uploadRequest, urlencodedRequest, UPLOAD_FILE_NAME, UPLOAD_FILE_SIZE } from './form-bodies';
import { median, formatRatio } from './report';
import type { Autocannon } from './load';

export interface FormTarget {
  label: string;
  port: number;
  /** Throws when the server has died (or the run was interrupted). */
  checkAlive(): void;
}

export interface FormRunResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Request body megabytes (10^6 bytes) per second. */
  megabytesPerSecond: number;
  /** non-2xx + errors + wrong digests. */
  failures: number;
  detail: string;
}

export const FORM_CONNECTIONS = 10;

export function formRequests(): FormRequest[] {
  return [urlencodedRequest(), uploadRequest()];
}

/** One POST with the given body; resolves with status and body bytes. */
export function postOnce(port: number, req: FormRequest, timeoutMs = 10000): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: '127.0.0.1', port, path: req.path, method: 'POST', agent: false,
        headers: { 'Content-Type': req.contentType, 'Content-Length': req.body.length, Connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`POST ${req.path} on port ${port}: no response within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    r.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    r.end(req.body);
  });
}

/** Sends each request once to both servers; they must answer 200 with the
 *  same digest bytes, and the digest must show what was sent (so that two
 *  servers that both see an empty form do not pass). Returns the digest per
 *  request name (the expected body under load). */
export async function verifyForms(targets: FormTarget[], requests: FormRequest[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const req of requests) {
    const answers: string[] = [];
    for (const t of targets) {
      const r = await postOnce(t.port, req);
      const text = r.body.toString('latin1');
      if (r.status !== 200) throw new Error(`${t.label}: POST ${req.path}: status ${r.status}, body ${JSON.stringify(text.slice(0, 200))}`);
      answers.push(text);
      console.log(`check:   ${t.label.padEnd(15)} POST ${req.path} (${req.body.length} bytes) -> 200 ${JSON.stringify(text)}`);
    }
    if (answers.some((a) => a !== answers[0])) {
      throw new Error(`POST ${req.path}: the servers disagree: ${answers.map((a, i) => `${targets[i].label} ${JSON.stringify(a)}`).join(' vs ')}`);
    }
    const expectPart =
      req.name === 'upload'
        ? `fields=3 file_size=${UPLOAD_FILE_SIZE} file_name=${UPLOAD_FILE_NAME} content_type=application/octet-stream\n`
        : 'fields=10 ';
    if (!answers[0].includes(expectPart)) {
      throw new Error(`POST ${req.path}: digest ${JSON.stringify(answers[0])} does not show the sent form (expected ${JSON.stringify(expectPart)})`);
    }
    digests.set(req.name, answers[0]);
  }
  return digests;
}


export async function runFormLoad(port: number, req: FormRequest, expectBody: string, durationS: number): Promise<FormRunResult> {
  const autocannon = require('autocannon') as Autocannon;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${req.path}`,
    connections: FORM_CONNECTIONS,
    duration: durationS,
    pipelining: 1,
    method: 'POST',
    headers: { 'content-type': req.contentType },
    body: req.body,
    expectBody,
  });
  const details: string[] = [];
  if (r.non2xx > 0) details.push(`${r.non2xx} non-2xx`);
  if (r.mismatches > 0) details.push(`${r.mismatches} wrong digests`);
  if (r.errors > 0) details.push(`${r.errors} errors (${r.timeouts} timeouts)`);
  const rps = r.duration > 0 ? r.requests.total / r.duration : 0;
  return {
    requests: r.requests.total,
    seconds: r.duration,
    requestsPerSecond: rps,
    megabytesPerSecond: (rps * req.body.length) / 1e6,
    failures: r.non2xx + r.errors + r.mismatches,
    detail: details.join(', '),
  };
}

export interface FormRow {
  scenario: string;
  nodeRps: number;
  mbRps: number;
  nodeMBps: number;
  mbMBps: number;
}

export function formRow(scenario: string, node: FormRunResult[], mb: FormRunResult[]): FormRow {
  return {
    scenario,
    nodeRps: median(node.map((r) => r.requestsPerSecond)),
    mbRps: median(mb.map((r) => r.requestsPerSecond)),
    nodeMBps: median(node.map((r) => r.megabytesPerSecond)),
    mbMBps: median(mb.map((r) => r.megabytesPerSecond)),
  };
}

export function formatFormTable(rows: FormRow[]): string {
  const header = ['scenario', 'node http req/s', 'moonbridge-lua req/s', 'ratio (mb/node)', 'node MB/s', 'moonbridge-lua MB/s'];
  const rate = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');
  const mbps = (v: number): string => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '-');
  const cells = rows.map((r) => [r.scenario, rate(r.nodeRps), rate(r.mbRps), formatRatio(r.mbRps, r.nodeRps), mbps(r.nodeMBps), mbps(r.mbMBps)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string =>
    '| ' + c.map((text, i) => (i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...cells.map(line)].join('\n');
}
