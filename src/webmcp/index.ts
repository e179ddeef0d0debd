/**
 * Built-in replacements for WebMCP's C modules, registered in every app's
 * package.preload: require finds them before package.cpath (where a
 * compiled .so of the same name may sit; it is never loaded). Each entry is
 * a module name and its opener (luaopen_<name>); the module's file is loaded
 * on the first require.
 */
import type { LuaCFunction, LuaState } from 'fengari';
import { preloadModule } from '../lua/modules';

/* eslint-disable @typescript-eslint/no-require-imports */
export const WEBMCP_MODULES: ReadonlyArray<readonly [string, LuaCFunction]> = [
  ['json', (L) => (require('./json') as typeof import('./json')).openJson(L)],
  ['multirand', (L) => (require('./multirand') as typeof import('./multirand')).openMultirand(L)],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** Registers the built-in WebMCP modules in L's package.preload. */
export function installWebmcpModules(L: LuaState): void {
  for (const [name, open] of WEBMCP_MODULES) preloadModule(L, name, open);
}
