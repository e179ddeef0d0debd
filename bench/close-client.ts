// Load client for the "new connection per request" scenarios with autocannon.
//
// autocannon's `reconnectRate: 1` does open a new connection per request, but
// it drops the response that triggers the reconnect before counting it
// (httpClient.js resets the connection in onMessageComplete before emitting
// 'response'), so every run reports 0 requests. This client does the simple
// thing instead: each of N concurrent loops connects, sends one
// `GET / HTTP/1.1` with `Connection: close`, reads the complete response
// (Content-Length, chunked or until EOF), checks it, closes the socket and
// starts over. Only responses completed before the deadline count.

import * as net from 'net';

export interface CloseClientOptions {
  host: string;
  port: number;
  path: string;
  concurrency: number;
  durationMs: number;
  /** When set, a 2xx response with another body counts as a mismatch. */
  expectBody?: Buffer;
}

export interface CloseClientResult {
  /** Complete responses (any status). */
  completed: number;
  non2xx: number;
  /** 2xx responses whose body differed from expectBody. */
  mismatches: number;
  /** Connections that failed or closed before a complete response. */
  errors: number;
  firstError: string | null;
  seconds: number;
  /** Loops that completed at least one response. */
  loopsServed: number;
}

type Parsed = { status: number; body: Buffer } | 'incomplete' | { error: string };

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Parses one HTTP/1.x response from `buf`; `eof` tells whether the peer has
 *  closed (which completes a response without length). */
export function parseResponse(buf: Buffer, eof: boolean): Parsed {
  const headerEnd = buf.indexOf(HEADER_END);
  if (headerEnd < 0) return eof ? { error: 'connection closed before the response header was complete' } : 'incomplete';
  const head = buf.toString('latin1', 0, headerEnd);
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (m === null) return { error: `bad status line ${JSON.stringify(lines[0].slice(0, 80))}` };
  const status = Number(m[1]);
  let contentLength = -1;
  let chunked = false;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon < 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') contentLength = Number(value);
    else if (name === 'transfer-encoding') chunked = value.split(',').map((s) => s.trim()).includes('chunked');
  }
  const bodyStart = headerEnd + HEADER_END.length;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { status, body: Buffer.alloc(0) };
  }
  if (chunked) {
    const parts: Buffer[] = [];
    let pos = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf(CRLF, pos);
      if (lineEnd < 0) return eof ? { error: 'connection closed inside the chunked body' } : 'incomplete';
      const size = parseInt(buf.toString('latin1', pos, lineEnd).split(';')[0].trim(), 16);
      if (!Number.isFinite(size) || size < 0) return { error: 'bad chunk size' };
      pos = lineEnd + 2;
      if (size === 0) {
        // Trailer section: header lines up to an empty line.
        if (buf.length >= pos + 2 && buf[pos] === 13 && buf[pos + 1] === 10) break;
        const trailerEnd = buf.indexOf(HEADER_END, pos - 2);
        if (trailerEnd < 0) return eof ? { error: 'connection closed inside the chunked trailer' } : 'incomplete';
        break;
      }
      if (buf.length < pos + size + 2) return eof ? { error: 'connection closed inside a chunk' } : 'incomplete';
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    return { status, body: Buffer.concat(parts) };
  }
  if (contentLength >= 0) {
    if (buf.length < bodyStart + contentLength) {
      return eof ? { error: 'connection closed before Content-Length bytes arrived' } : 'incomplete';
    }
    return { status, body: buf.subarray(bodyStart, bodyStart + contentLength) };
  }
  return eof ? { status, body: buf.subarray(bodyStart) } : 'incomplete';
}

export function runCloseClient(opts: CloseClientOptions): Promise<CloseClientResult> {
  const request = Buffer.from(
    `GET ${opts.path} HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\nConnection: close\r\n\r\n`,
    'latin1',
  );
  const result: CloseClientResult = {
    completed: 0,
    non2xx: 0,
    mismatches: 0,
    errors: 0,
    firstError: null,
    seconds: 0,
    loopsServed: 0,
  };
  const active = new Set<net.Socket>();
  let stopped = false;
  let running = 0;

  return new Promise<CloseClientResult>((resolve) => {
    const start = process.hrtime.bigint();
    let finishAll: () => void = () => undefined;

    const loop = (served: boolean): void => {
      if (stopped) {
        if (--running === 0) finishAll();
        return;
      }
      const socket = net.connect({ host: opts.host, port: opts.port });
      socket.setNoDelay(true);
      active.add(socket);
      let data: Buffer = Buffer.alloc(0);
      let done = false;
      const finish = (outcome: Parsed | null): void => {
        if (done) return;
        done = true;
        active.delete(socket);
        socket.destroy();
        if (outcome !== null && !stopped) {
          if (outcome === 'incomplete') {
            outcome = { error: 'connection closed before the response was complete' };
          }
          if ('error' in outcome) {
            result.errors++;
            if (result.firstError === null) result.firstError = outcome.error;
          } else {
            if (!served) {
              served = true;
              result.loopsServed++;
            }
            result.completed++;
            if (outcome.status < 200 || outcome.status > 299) result.non2xx++;
            else if (opts.expectBody !== undefined && !outcome.body.equals(opts.expectBody)) result.mismatches++;
          }
        }
        // Next connection from a fresh tick, not from inside this socket's events.
        setImmediate(loop, served);
      };
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk: Buffer) => {
        data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
        const parsed = parseResponse(data, false);
        if (parsed !== 'incomplete') finish(parsed);
      });
      socket.on('end', () => finish(parseResponse(data, true)));
      socket.on('error', (err) => finish({ error: err.message }));
      socket.on('close', () => finish(parseResponse(data, true)));
    };

    setTimeout(() => {
      stopped = true;
      result.seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // Responses still in flight at the deadline are not counted.
      for (const socket of active) socket.destroy();
    }, opts.durationMs);

    finishAll = (): void => resolve(result);
    for (let i = 0; i < opts.concurrency; i++) {
      running++;
      loop(false);
    }
  });
}
