/**
 * Query, urlencoded-body and cookie parsing against the oracle: the real
 * server parses them with string.gmatch and decode_uri in Lua, so PUC Lua 5.3
 * running those exact patterns over random inputs gives the expected pairs.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { parseCookies, parseQuery } from '../src/http/uri';
import { LUA53 } from './helpers/lua-diff';

/** The real server's decode_uri and pair patterns, printing each pair as two %q lines. */
const ORACLE = `
local function decode_uri(str)
  return (string.gsub(string.gsub(str, "%+", " "), "%%([0-9A-Fa-f][0-9A-Fa-f])",
    function(hex) return string.char(tonumber(hex, 16)) end))
end
for line in io.lines() do
  local kind, data = line:match("^(%a+) (.*)$")
  data = data:gsub("\\\\(%d%d%d)", function(d) return string.char(tonumber(d)) end)
  local pattern = kind == "query" and "([^?=&]*)=([^?=&]*)" or "([^=; ]*)=([^=; ]*)"
  local out = {}
  for k, v in string.gmatch(data, pattern) do
    out[#out+1] = string.format("%q %q", decode_uri(k), decode_uri(v))
  end
  print(#out .. "|" .. table.concat(out, "|"))
end
`;

/** Escapes a latin1 string for one input line (control bytes and backslash as \\ddd). */
function escape(s: string): string {
  return s.replace(/[\x00-\x1f\\\x7f-\xff]/g, (c) => '\\' + String(c.charCodeAt(0)).padStart(3, '0'));
}

/** The pairs as the oracle prints them (Lua %q of latin1 strings). */
function quoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + s[i];
    else if (c === 0x0a) out += '\\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c === 0x7f) {
      // as lstrlib's %q: three digits when a digit follows
      const digitNext = /[0-9]/.test(s[i + 1] ?? '');
      out += '\\' + (digitNext ? String(c).padStart(3, '0') : String(c));
    }
    else out += s[i];
  }
  return out + '"';
}

function haveLua(): boolean {
  return spawnSync(LUA53, ['-v']).status === 0;
}

describe('HTTP parameter parsing against PUC Lua 5.3 running the real server\'s patterns', function () {
  this.timeout(60000);
  before(function () {
    if (!haveLua()) this.skip();
  });

  it('parses random queries and cookie headers exactly as string.gmatch does', function () {
    const alphabet = fc.constantFrom('a', 'b', 'K', '=', '&', '?', ';', ' ', '+', '%', '4', '1', 'e', 'z', '%41', '%e9', '%G1', '\t', '"');
    const inputs = fc.sample(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), 600);
    inputs.push('?a=1&b&c=x+y?d=%41&=e&f=&g=h=i', 'u=x=y; s=a%20b', 'q="a b"; ;x;=z; k=v', '', '=', '==', '&&=&');
    const lines: string[] = [];
    for (const s of inputs) lines.push(`query ${escape(s)}`, `cookie ${escape(s)}`);
    const run = spawnSync(LUA53, ['-e', ORACLE], { input: lines.join('\n') + '\n', encoding: 'latin1' });
    assert.equal(run.status, 0, run.stderr);
    // Pairs may contain newlines (%q prints "\<newline>"): split the oracle's output by input.
    const expected = run.stdout.split(/\n(?=\d+\|)/);
    let compared = 0;
    inputs.forEach((s, i) => {
      for (const [j, pairs] of [[2 * i, parseQuery(s)], [2 * i + 1, parseCookies([s])]] as const) {
        const got = `${pairs.length}|` + pairs.map(([k, v]) => `${quoted(k)} ${quoted(v)}`).join('|');
        assert.equal(got, expected[j].replace(/\n$/, ''), `${j % 2 === 0 ? 'query' : 'cookie'} ${JSON.stringify(s)}`);
        compared++;
      }
    });
    assert.ok(compared >= 1200);
  });
});
