/**
 * listen{}'s memory_limit, enforced per worker. Fengari has no allocator
 * hook (the C Moonbridge's limit lives in lua_Alloc), so the limit is held
 * against what a worker really costs the machine: its private memory, the
 * Private_Clean + Private_Dirty of /proc/self/smaps_rollup (pages only this
 * process maps; what it still shares with the master copy-on-write is not
 * counted). bench/memory.ts reports the same measure.
 *
 * It is checked when a handler returns (worker.ts) and, inside an HTTP
 * handler, after every MEMORY_CHECK_EVERY-th call into Lua (the native and
 * the Lua driver of src/http/). Over the limit, a Lua memory error is
 * raised (LUA_ERRMEM: the message is "not enough memory", as when the C
 * server's allocator refuses); the worker reports it, exits with status 1
 * and the master replaces it. A read of smaps_rollup takes about half a
 * millisecond (a quarter of a hello-world request's time, at every 16th
 * request), so a check reads it only when it could show the limit passed:
 * private memory grows only through page faults (a new page, a
 * copy-on-write copy, a file page), and each fault adds at most
 * MAX_BYTES_PER_FAULT, so while the last reading plus that much per fault
 * since (getrusage, about 2 us) stays under the limit, the check passes
 * without a read. Every FORCED_READ_EVERY-th check reads anyway (the kernel
 * can also replace pages without a fault of ours: khugepaged). With no
 * memory_limit (0, the default) nothing is read.
 */
import * as fs from 'fs';
import { type LuaState } from 'fengari';
import { luaD_throw } from 'fengari/src/ldo';
import { lua } from 'fengari';
import { native } from '../native/binding';

export const SMAPS_ROLLUP = '/proc/self/smaps_rollup';
/** Calls into Lua from the HTTP layer between two checks. */
export const MEMORY_CHECK_EVERY = 16;
export const MEMORY_ERROR_MESSAGE = 'not enough memory';

/** Checks between two reads of smaps_rollup at most. */
export const FORCED_READ_EVERY = 64;

/**
 * The most one page fault can add to private memory: a transparent huge
 * page (2 MiB) when THP is "always", else fault-around of a file mapping
 * (64 KiB). With THP "madvise" only regions a program asks for get huge
 * pages, and neither node, V8 nor glibc's malloc asks by default; the
 * forced reads cover a program that does.
 */
function maxBytesPerFault(): number {
  try {
    const thp = fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1');
    if (thp.includes('[always]')) return 2 * 1024 * 1024;
  } catch {
    // no THP in this kernel
  }
  return 64 * 1024;
}

/** Bytes; 0 = no limit. */
let limit = 0;
let calls = 0;
let bytesPerFault = 0;
/** The last reading (-1: none in this worker), the fault count before it, checks since. */
let privateAtRead = -1;
let faultsAtRead = 0;
let checksSinceRead = 0;

function pageFaults(): number {
  const usage = process.resourceUsage();
  return usage.minorPageFault + usage.majorPageFault;
}
/** The open smaps_rollup and the pid that opened it ("self" is resolved at open: a forked child must reopen). */
let rollupFd = -1;
let rollupPid = -1;
const buffer = Buffer.alloc(4096);

function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (m === null) throw new Error(`memory_limit: no "${field}" line in ${SMAPS_ROLLUP}`);
  return Number(m[1]);
}

/** This process's private memory in bytes (Private_Clean + Private_Dirty). Throws, naming the file, when it cannot be read. */
export function privateMemoryBytes(): number {
  const pid = native().getpid();
  if (rollupFd < 0 || rollupPid !== pid) {
    if (rollupFd >= 0) {
      try {
        fs.closeSync(rollupFd);
      } catch {
        // the inherited copy is gone already
      }
    }
    rollupFd = -1;
    try {
      rollupFd = fs.openSync(SMAPS_ROLLUP, 'r');
    } catch (err) {
      throw new Error(`memory_limit: cannot read ${SMAPS_ROLLUP} (Linux 4.14 or later is needed): ${(err as Error).message}`);
    }
    rollupPid = pid;
  }
  let length = 0;
  let n: number;
  do {
    n = fs.readSync(rollupFd, buffer, length, buffer.length - length, length);
    length += n;
  } while (n > 0 && length < buffer.length);
  const text = buffer.toString('latin1', 0, length);
  return (kbField(text, 'Private_Clean') + kbField(text, 'Private_Dirty')) * 1024;
}

/** Sets this worker's limit in bytes (0: none). */
export function setMemoryLimit(bytes: number): void {
  limit = bytes > 0 ? bytes : 0;
  calls = 0;
  privateAtRead = -1;
  if (limit > 0 && bytesPerFault === 0) bytesPerFault = maxBytesPerFault();
}

export function memoryLimit(): number {
  return limit;
}

/** Whether a limit is set and this process's private memory exceeds it (see the top for when it is read). */
export function overMemoryLimit(): boolean {
  if (limit === 0) return false;
  if (privateAtRead >= 0 && ++checksSinceRead < FORCED_READ_EVERY) {
    if (privateAtRead + (pageFaults() - faultsAtRead) * bytesPerFault <= limit) return false;
  }
  faultsAtRead = pageFaults();
  privateAtRead = privateMemoryBytes();
  checksSinceRead = 0;
  return privateAtRead > limit;
}

/** Raises a Lua memory error ("not enough memory") when over the limit. */
export function checkMemoryLimit(L: LuaState): void {
  if (overMemoryLimit()) luaD_throw(L, lua.LUA_ERRMEM);
}

/** The same on every MEMORY_CHECK_EVERY-th call: for the HTTP drivers, after a call into Lua. */
export function checkMemoryLimitSometimes(L: LuaState): void {
  if (limit === 0 || ++calls < MEMORY_CHECK_EVERY) return;
  calls = 0;
  checkMemoryLimit(L);
}
