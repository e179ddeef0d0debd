/**
 * Server start-up: the Lua state with Moonbridge's globals, the app's main
 * chunk (whose listen{} calls bind the sockets), then the master loop.
 */
import * as path from 'path';
import { lua, lauxlib, type LuaState } from 'fengari';
import { pushMoonbridgeIo } from '../io/library';
import { key, pushText } from '../lua/strings';
import { createLuaState, runScript, type ScriptResult } from '../lua/state';
import { preloadModule, setGlobalModule } from '../lua/modules';
import { installWebmcpModules } from '../webmcp';
import { setAppDirectory } from '../lua/stdlib/package';
import { makeListen, type ListenContext } from './listen';
import { installJsModules, missingModuleHint } from '../api/modules';
import { attachRuntime } from '../api/runtime';
import { runJsEntry, isJsEntry } from './js-entry';
import { reportReady } from './ready';
import type { Logger } from './log';
import { Master } from './master';
import { timeout } from './timeout';

export const MOONBRIDGE_VERSION = '1.0.1';

export interface StartOptions {
  script: string;
  args: readonly string[];
  logger: Logger;
  /**
   * Called once the script has run and the listeners are bound, just before
   * the master loop (the PID file is written here). Throwing is a start-up
   * error (logged, exit code 3).
   */
  onStarted?: () => void;
}

/** Creates the app's Lua state with the globals Moonbridge provides. */
export function createServerState(ctx: ListenContext): { L: LuaState; listen: (L: LuaState) => number } {
  const L = createLuaState();
  pushText(L, MOONBRIDGE_VERSION);
  lua.lua_setglobal(L, key('_MOONBRIDGE_VERSION'));
  pushMoonbridgeIo(L);
  setGlobalModule(L, 'moonbridge_io');
  // Loaded on first require: apps without HTTP do not pay for the module.
  preloadModule(L, 'moonbridge_http', (L1) => (require('../http/module') as typeof import('../http/module')).openMoonbridgeHttp(L1));
  // WebMCP's C modules (json, multirand), found before package.cpath
  installWebmcpModules(L);
  const listen = makeListen(ctx);
  lua.lua_pushcfunction(L, listen);
  lua.lua_setglobal(L, key('listen'));
  lua.lua_pushcfunction(L, timeout);
  lua.lua_setglobal(L, key('timeout'));
  installJsModules(L);
  return { L, listen };
}

/** Whether require(name) has run in the app's state. */
function moduleLoaded(L: LuaState, name: string): boolean {
  lua.lua_getglobal(L, key('package'));
  lua.lua_getfield(L, -1, key('loaded'));
  const loaded = lua.lua_getfield(L, -1, key(name)) !== lua.LUA_TNIL;
  lua.lua_pop(L, 3);
  return loaded;
}

/**
 * Runs the server to the end; returns the process exit code. The entry is a
 * Lua script, or a JavaScript file (.js, .cjs: run synchronously; .mjs:
 * imported, so the result is a Promise) that uses the TypeScript API.
 */
export function startServer(options: StartOptions): number | Promise<number> {
  const { logger } = options;
  logger.notice('Starting moonbridge server');
  const ctx: ListenContext = { pools: [], logger, started: false };
  const { L, listen } = createServerState(ctx);
  setAppDirectory(L, path.dirname(path.resolve(options.script)));
  attachRuntime({ L, script: options.script, listen, timeout });
  logger.info(`Loading "${options.script}"`);
  if (isJsEntry(options.script)) {
    const result = runJsEntry(options.script, options.args);
    if (result instanceof Promise) return result.then((r) => serve(options, ctx, L, listen, r));
    return serve(options, ctx, L, listen, result);
  }
  return serve(options, ctx, L, listen, runScript(L, options.script, options.args));
}

/** After the entry ran: checks, the ready report, then the master loop. */
function serve(options: StartOptions, ctx: ListenContext, L: LuaState, listen: (L: LuaState) => number, result: ScriptResult): number {
  const { logger } = options;
  if (!result.ok) {
    logger.error(`Error while ${result.phase} "${options.script}": ${result.message}`);
    const hint = missingModuleHint(result.message);
    if (hint !== null) logger.error(hint);
    return 3;
  }
  if (ctx.pools.length === 0) {
    logger.error('No listener initialized.');
    return 3;
  }
  // Like Moonbridge, remove `listen` (if the script left it alone) so that
  // handlers cannot call it.
  lua.lua_getglobal(L, key('listen'));
  if (lua.lua_tocfunction(L, -1) === listen) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, key('listen'));
  }
  lua.lua_settop(L, 0);
  ctx.started = true;
  if (moduleLoaded(L, 'moonbridge_http')) {
    const warm = (require('../http/warmup') as typeof import('../http/warmup')).warmUpHttp();
    if (warm.error !== null) logger.warning(`HTTP warm-up failed (workers start unoptimized): ${warm.error}`);
    else logger.debug(`HTTP warm-up took ${(warm.seconds * 1000).toFixed(0)} ms (${warm.batches} batches)`);
  }
  if (options.onStarted !== undefined) {
    try {
      options.onStarted();
    } catch (err) {
      logger.error(err instanceof Error ? err.message : String(err));
      return 3;
    }
  }
  lauxlib.luaL_checkstack(L, 20, null);
  const master = new Master({ L, pools: ctx.pools, logger });
  // Ready once the signal handlers are in place: a SIGTERM right after is a graceful shutdown.
  reportReady(ctx.pools);
  try {
    return master.run();
  } catch (err) {
    logger.crit(`Internal error in master process: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    master.killWorkers();
    return 4;
  }
}
