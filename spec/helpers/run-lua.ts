/** Runs a Lua chunk as an app through bin/moonbridge-lua and returns what it printed. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'moonbridge-lua');

export interface LuaRun { stdout: string; stderr: string; code: number | null }

/** Writes code to app.lua in a fresh temporary folder (plus extra files) and runs it. */
export function runLua(code: string, files: Record<string, string> = {}): LuaRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-lua-'));
  try {
    fs.writeFileSync(path.join(dir, 'app.lua'), code);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const r = spawnSync(process.execPath, [BIN, path.join(dir, 'app.lua')], { cwd: dir, encoding: 'latin1', timeout: 60000 });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
