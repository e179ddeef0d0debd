/**
 * What bin/moonbridge-lua runs: re-executes node with the flags that make
 * forking safe (--single-threaded --v8-pool-size=1), the heap flags of
 * fork.ts, and the server's entry
 * point, passing the arguments through. It uses execv, so the server keeps
 * this process's pid, stdio, signals and exit code.
 */
import * as path from 'path';
import { native } from '../native/binding';
import { serverNodeFlags } from '../server/fork';

export function serverArgv(args: readonly string[], execArgv: readonly string[] = process.execArgv): string[] {
  return [process.execPath, ...serverNodeFlags(execArgv), path.join(__dirname, 'main.js'), ...args];
}

export function launch(args: readonly string[]): never {
  let binding;
  try {
    binding = native();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  try {
    // Node marks fds 0-2 close-on-exec at start-up (uv_disable_stdio_inheritance);
    // the server must keep this process's stdio.
    for (const fd of [0, 1, 2]) {
      if (binding.isOpen(fd)) binding.setCloexec(fd, false);
    }
    return binding.execv(process.execPath, serverArgv(args));
  } catch (err) {
    process.stderr.write(`moonbridge-lua: cannot start ${process.execPath}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
