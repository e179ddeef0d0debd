// The pages of examples/helloworld.lua, byte for byte, so that the Node http
// server (node-hello.ts) and the response checks (verify.ts, close-client.ts)
// agree with the Lua app.

/** Body of `GET /` (`hello_page` in helloworld.lua: a Lua long string, whose
 *  first newline right after `[[` is not part of the string). */
export const HELLO_PAGE =
  '<!DOCTYPE html>\n' +
  '<html>\n' +
  '<head><title>Hello World Application</title></head>\n' +
  '<body><h1>Hello World!</h1></body>\n' +
  '</html>\n';

export const HELLO_PAGE_BYTES: Buffer = Buffer.from(HELLO_PAGE, 'utf8');

export const CONTENT_TYPE = 'text/html; charset=UTF-8';

/** `error_page(request, status)` of helloworld.lua, e.g. "404 Not Found". */
export function errorPage(status: string): string {
  return (
    '<!DOCTYPE html>\n<html>\n<head><title>' + status + '</title></head>\n' +
    '<body><h1>' + encodeHtml(status) + '</h1></body>\n</html>\n'
  );
}

/** What moonbridge_http's encode_html does to the characters that matter. */
function encodeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
