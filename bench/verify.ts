// One GET / before loading a server: it must answer 200 with the hello page.

import * as http from 'http';
import { CONTENT_TYPE, HELLO_PAGE_BYTES } from './pages';

/** Resolves with a one-line description of the response; rejects with the
 *  reason when it is not 200 with exactly the hello page. */
export function verifyHello(name: string, port: number, timeoutMs = 10000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`${name}: GET http://127.0.0.1:${port}/: ${why}`));
    const req = http.get(
      { host: '127.0.0.1', port, path: '/', agent: false, headers: { Connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => fail(err.message));
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) {
            fail(`status ${res.statusCode} ${res.statusMessage ?? ''}, body ${JSON.stringify(body.toString('utf8').slice(0, 200))}`);
          } else if (!body.equals(HELLO_PAGE_BYTES)) {
            fail(
              `unexpected body (${body.length} bytes, expected ${HELLO_PAGE_BYTES.length}): ` +
                JSON.stringify(body.toString('utf8').slice(0, 300)),
            );
          } else if (res.headers['content-type'] !== CONTENT_TYPE) {
            fail(`Content-Type ${JSON.stringify(res.headers['content-type'])}, expected ${JSON.stringify(CONTENT_TYPE)}`);
          } else {
            const framing = res.headers['transfer-encoding'] ?? `content-length ${res.headers['content-length'] ?? 'none'}`;
            resolve(`200, ${body.length} bytes, ${framing}, HTTP/${res.httpVersion}`);
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no complete response within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      fail(err.message);
    });
  });
}
