import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Clock ticks a second, as /proc counts CPU time in them (100 on nearly every Linux). */
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU time (user and system, every thread) a process has used so far, in µs, read from /proc: how the benchmark
 * counts the CPU of a server that reports none itself (the bare server, the original). Undefined off Linux or once
 * the process has gone. Resolution is a tick (10 ms), so it is read over runs of seconds.
 */
export function processCpuMicroseconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of a process's children (Linux), for a supervisor whose server processes do the work. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
