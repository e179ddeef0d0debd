/**
 * Keeping workers lean: workers never return to Node's event loop, so V8's
 * own heap-shrinking tasks never run there, and large request bodies pile
 * up outside the V8 heap.
 *
 * Body pieces: every piece
 * of body data handed to Lua is a fresh ArrayBuffer, allocated outside the
 * V8 heap; its memory comes back only when a garbage collection finds the
 * small wrapper object dead, and V8 lets such external memory grow to tens
 * of megabytes (measured: +34 MB of worker RSS while a 50 MB upload was
 * streamed through stream_post_param) before it collects. So after every
 * megabyte of such allocations a minor (young generation) collection is run,
 * which frees the pieces Lua no longer references (measured: +3.7 MB for the
 * same upload; a minor collection took about 0.1 ms, with a collection every
 * 4 MB the growth was still +12.9 MB). The collector is reached through V8's
 * gc extension, enabled at run time for a new context only.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

/** Body bytes copied between two collections. */
const COLLECT_EVERY = 1024 * 1024;

type GcFunction = (options?: { type: 'minor'; execution: 'sync' }) => void;
let gc: GcFunction | null | undefined;
let allocated = 0;

function collector(): GcFunction | null {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as GcFunction;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** Notes bytes of short-lived external buffers just allocated; collects when enough piled up. */
export function noteExternalAllocation(bytes: number): void {
  allocated += bytes;
  if (allocated < COLLECT_EVERY) return;
  allocated = 0;
  collector()?.({ type: 'minor', execution: 'sync' });
}

/** Requests served between two looks at the old generation (see noteRequestServed). */
const CHECK_EVERY = 500;
/** Growth of the old generation since the last full collection that makes the next one worthwhile. */
const COLLECT_AFTER_GROWTH = 1024 * 1024;
let served = 0;
/** Old-generation bytes in use after the last full collection (-1: not measured yet). */
let oldAfterCollection = -1;

/** Bytes in use in V8's old generation (old space and large objects). */
export function oldGenerationUsed(): number {
  let used = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'old_space' || space.space_name === 'large_object_space') used += space.space_used_size;
  }
  return used;
}

/**
 * Runs a full collection now; false when V8's gc extension is not
 * available. With `compact`, every page is evacuated (V8's heuristics
 * otherwise compact only very fragmented pages): what the master does
 * before it forks (master.ts), so that workers inherit pages without holes,
 * which their own allocations would otherwise fill (and so copy).
 */
export function collectFully(compact = false): boolean {
  const collect = collector();
  if (collect === null) return false;
  if (compact) {
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      collect();
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
  } else {
    collect();
  }
  oldAfterCollection = oldGenerationUsed();
  return true;
}

/**
 * Counts a request served. V8 gives memory back after garbage piled up in
 * idle-time and "memory reducer" tasks that run from the event loop; workers
 * never return to it, so under keep-alive load a worker's heap only grew
 * (hello world, one connection: worker RSS 40 MB after 1,000 requests, 103 MB
 * after 100,000, with a flat live heap of about 8.5 MB in heap snapshots).
 * A full collection does those tasks' job. It is not run on a fixed count:
 * every collection also writes to (and so unshares) heap pages inherited
 * from the master, so every CHECK_EVERY requests the old generation is
 * looked at, and a collection runs only once it grew by
 * COLLECT_AFTER_GROWTH since the last one (issue 11: hello world worker
 * private memory 14.9 MiB after 10,000 requests with a collection every
 * 5,000 requests, 5.4 MiB with this rule; page app 17.7 MiB, and after
 * 16,000 requests 10.0 MiB with 1 MB, 11.3 with 2 MB, 12.7 with 4 MB of
 * growth, no collection at all 17 MiB after 8,000 and rising; one run each
 * with the master's compacting collection of master.ts).
 *
 * Note: gc({type: 'major'}) of this V8 (Node 20) did not free the old
 * generation in a test; gc() does.
 */
export function noteRequestServed(): void {
  if (++served < CHECK_EVERY) return;
  served = 0;
  const used = oldGenerationUsed();
  if (oldAfterCollection < 0) {
    oldAfterCollection = used;
    return;
  }
  if (used - oldAfterCollection < COLLECT_AFTER_GROWTH) return;
  if (collector() === null) return;
  collectFully();
}
