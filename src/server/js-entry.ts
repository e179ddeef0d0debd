/**
 * Running a JavaScript file as the app's main chunk (npx moonbridge-lua
 * app.js): in the master, before forking, like a Lua script. It sees its
 * arguments in process.argv.slice(2) and uses the TypeScript API (listen,
 * http.generateHandler...), which finds the server's Lua state. A .mjs file
 * is imported (asynchronously: the server starts once the import settled);
 * .js and .cjs are required (a .js file in a "type": "module" package is
 * imported too). TypeScript must be compiled first.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { ScriptResult } from '../lua/state';

const JS_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts'];

export function isJsEntry(script: string): boolean {
  return JS_EXTENSIONS.includes(path.extname(script).toLowerCase());
}

function failure(err: unknown): ScriptResult {
  const phase = err instanceof SyntaxError || (err as { code?: string })?.code === 'MODULE_NOT_FOUND' ? 'loading' : 'executing';
  const message = err instanceof Error ? (err.stack ?? err.message) : `(error object is a ${typeof err} value: ${String(err)})`;
  return { ok: false, phase, message };
}

/** Import for ESM, kept from TypeScript's CommonJS output (which would turn import() into require()). */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

export function runJsEntry(script: string, args: readonly string[]): ScriptResult | Promise<ScriptResult> {
  const ext = path.extname(script).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    return {
      ok: false, phase: 'loading',
      message: `${script} is TypeScript: compile it to JavaScript first (e.g. npx tsc) and run the .js file`,
    };
  }
  const file = path.resolve(script);
  process.argv = [process.argv[0], file, ...args];
  if (ext === '.mjs') {
    return importModule(pathToFileURL(file).href).then(() => ({ ok: true as const }), failure);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
    return { ok: true };
  } catch (err) {
    if ((err as { code?: string })?.code === 'ERR_REQUIRE_ESM') {
      return importModule(pathToFileURL(file).href).then(() => ({ ok: true as const }), failure);
    }
    return failure(err);
  }
}
