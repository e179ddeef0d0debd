/**
 * extos.pfilter(stdin_data, program, ...args): runs program (searched in
 * PATH, as execvp) with stdin_data on its standard input and returns its
 * standard output, standard error and status (exit code, or minus the
 * signal number); nil and "Could not execute ..." when the program cannot be
 * started. Built on the addon's posix_spawnp and poll (never the worker's
 * own fork, never child_process): one poll loop writes stdin and drains both
 * outputs, so large data either way cannot deadlock.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { isErrnoError, native } from '../../native/binding';
import { pushOwnedBytes } from '../../lua/strings';
import { closeQuietly, spawnLikeExecvp } from '../../io/child';

const MAX_ARGS = 64;
const CHUNK = 65536;

function fail(L: LuaState, err: unknown): number {
  const text = isErrnoError(err) ? err.strerror : err instanceof Error ? err.message : String(err);
  return lauxlib.luaL_error(L, Buffer.from('Unexpected error in pfilter: %s'), Buffer.from(text, 'utf8')) as number;
}

export function pfilter(L: LuaState): number {
  const input = Buffer.from(lauxlib.luaL_optlstring(L, 1, Buffer.from('')) as Uint8Array);
  const file = Buffer.from(lauxlib.luaL_checklstring(L, 2) as Uint8Array);
  const argv: Buffer[] = [file];
  let i: number;
  for (i = 0; i < MAX_ARGS; i++) {
    if (lua.lua_isnoneornil(L, 3 + i)) break;
    argv.push(Buffer.from(lauxlib.luaL_checklstring(L, 3 + i) as Uint8Array));
  }
  if (!lua.lua_isnoneornil(L, 3 + i)) return lauxlib.luaL_error(L, Buffer.from('Too many arguments for pfilter call.')) as number;
  // C strings: each ends at its first NUL
  const cstr = (x: Buffer): Buffer => { const z = x.indexOf(0); return z < 0 ? x : x.subarray(0, z); };
  const args = argv.map(cstr);

  const n = native();
  const opened: number[] = [];
  let inR: number, inW: number, outR: number, outW: number, errR: number, errW: number;
  try {
    [inR, inW] = n.pipe(); opened.push(inR, inW);
    [outR, outW] = n.pipe(); opened.push(outR, outW);
    [errR, errW] = n.pipe(); opened.push(errR, errW);
    n.setNonBlocking(inW, true);
    n.setNonBlocking(outR, true);
    n.setNonBlocking(errR, true);
  } catch (err) {
    closeQuietly(opened);
    return fail(L, err);
  }
  let pid: number;
  try {
    pid = spawnLikeExecvp(args, [inR, outW, errW]);
  } catch (err) {
    closeQuietly(opened);
    if (isErrnoError(err) && err.syscall === 'posix_spawn') {
      lua.lua_pushnil(L);
      pushOwnedBytes(L, Buffer.concat([Buffer.from('Could not execute "'), args[0], Buffer.from(`": ${err.strerror}`, 'utf8')]));
      return 2;
    }
    return fail(L, err);
  }
  closeQuietly([inR, outW, errW]);

  let inFd = inW, outFd = outR, errFd = errR;
  let inPos = 0;
  if (input.length === 0) {
    closeQuietly([inFd]);
    inFd = -1;
  }
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  const fds = new Int32Array(3);
  const events = new Int16Array(3);
  const revents = new Int16Array(3);
  const c = n.constants;
  try {
    while (inFd >= 0 || outFd >= 0 || errFd >= 0) {
      let k = 0;
      if (inFd >= 0) { fds[k] = inFd; events[k++] = c.POLLOUT; }
      if (outFd >= 0) { fds[k] = outFd; events[k++] = c.POLLIN; }
      if (errFd >= 0) { fds[k] = errFd; events[k++] = c.POLLIN; }
      const ready = n.poll(fds, events, revents, k, -1);
      if (ready === -2) continue;
      for (let j = 0; j < k; j++) {
        if (revents[j] === 0) continue;
        const fd = fds[j];
        if (fd === inFd) {
          let w: number;
          try {
            w = n.write(inFd, input, inPos, Math.min(input.length - inPos, CHUNK));
          } catch (err) {
            if (!(isErrnoError(err) && err.code === 'EPIPE')) throw err;
            closeQuietly([inFd]);
            inFd = -1;
            continue;
          }
          if (w > 0) inPos += w;
          if (inPos === input.length) {
            closeQuietly([inFd]);
            inFd = -1;
          }
        } else {
          const buf = Buffer.allocUnsafe(CHUNK);
          const r = n.read(fd, buf, 0, CHUNK);
          if (r < 0) continue; // would block, EINTR
          if (r === 0) {
            closeQuietly([fd]);
            if (fd === outFd) outFd = -1; else errFd = -1;
            continue;
          }
          (fd === outFd ? outChunks : errChunks).push(buf.subarray(0, r));
        }
      }
    }
  } catch (err) {
    closeQuietly([inFd, outFd, errFd]);
    try { n.waitpid(pid, 0); } catch { /* reaped */ }
    return fail(L, err);
  }
  let status: number;
  try {
    const res = n.waitpid(pid, 0);
    if (res === null) throw new Error('waitpid returned no status');
    status = res.exited ? res.exitCode : -res.signal;
  } catch (err) {
    return fail(L, err);
  }
  pushOwnedBytes(L, Buffer.concat(outChunks));
  pushOwnedBytes(L, Buffer.concat(errChunks));
  lua.lua_pushinteger(L, status);
  return 3;
}
