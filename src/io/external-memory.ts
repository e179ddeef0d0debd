/**
 * Keeping workers lean while they stream large request bodies. Every piece
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

type GcFunction = (options: { type: 'minor' | 'major'; execution: 'sync' }) => void;
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
