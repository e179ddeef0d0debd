/**
 * The Lua state of the running server, as the TypeScript API finds it. The
 * server attaches it before the app's entry file runs (Lua or JavaScript);
 * API calls made outside a server (plain `node app.js`) fail with a message
 * saying how to run the app. The slot is process-global (a registered
 * symbol), so two copies of this package loaded from different paths (CJS
 * and ESM, or an app's own node_modules) still share it.
 */
import type { LuaCFunction, LuaState } from 'fengari';
import { MoonbridgeApiError } from './errors';

export interface Runtime {
  L: LuaState;
  /** The app's entry file. */
  script: string;
  /** The Lua globals listen and timeout (listen is removed from _G once the server starts). */
  listen: LuaCFunction;
  timeout: LuaCFunction;
}

const SLOT = Symbol.for('moonbridge-lua.runtime');
type Slot = { [SLOT]?: Runtime };

export function attachRuntime(r: Runtime): void {
  (globalThis as Slot)[SLOT] = r;
}

export function runtime(what: string): Runtime {
  const r = (globalThis as Slot)[SLOT];
  if (r === undefined) {
    throw new MoonbridgeApiError(`${what} works only in an app run by moonbridge-lua: start it with ` +
      '`npx moonbridge-lua app.js` (or Server.start({ script: "app.js" }) from another program)');
  }
  return r;
}
