/**
 * Interval and main listeners: scheduled by the master, run by idle workers
 * with a plain table argument; the end of the main worker shuts the server
 * down gracefully.
 */
import { strict as assert } from 'assert';
import { app, killAll, startServer, within } from './helpers/server';

describe('interval and main listeners', function () {
  afterEach(killAll);

  it('runs the interval repeatedly and shuts down when the main handler returns', async function () {
    const s = startServer(['-s', app('timers.lua'), '1.0']);
    assert.equal(await within(s.exited, 10000, 'exit'), 0);
    const log = s.stderr();
    const runs = log.match(/\[Pool #1, PID \d+\] interval tick run in \d+/g) ?? [];
    assert.ok(runs.length >= 3 && runs.length <= 6, `expected 3-6 interval runs in about 1 s with delay 0.2, saw ${runs.length}`);
    assert.match(log, /\[Pool #2, PID \d+\] main boss started\n/);
    assert.match(log, /main done\n[\s\S]*main worker finished\n[\s\S]*Initiate shutdown\n[\s\S]*Terminating with exit code 0\n/);
  });
});
