import { readFileSync } from 'node:fs';

/** Resident set size of a process, in MB, as Linux reports it. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

// Linux reports CPU times in clock ticks of 1/100 s on every platform Node supports.
const TICK_MS = 10;

/**
 * CPU time (user + system, all threads) a process has used, in ms. On a machine shared with other
 * work, CPU per request is steadier than requests per second: waiting for a core costs no CPU.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
