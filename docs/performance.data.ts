import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type BenchRun, performanceData, type PerformanceData } from './.vitepress/bench-charts.js';

export type { PerformanceData };
declare const data: PerformanceData;
export { data };

// Build-time data loader (VitePress): every run committed under bench/results/, `latest.json` (the
// last local run, not committed) left out. The page's charts are drawn from what this returns.
export default {
  watch: ['../bench/results/*.json'],
  load(files: string[]): PerformanceData {
    const runs = files
      .filter((file) => basename(file) !== 'latest.json')
      .map((file) => ({
        name: basename(file, '.json'),
        run: JSON.parse(readFileSync(file, 'utf8')) as BenchRun,
      }));
    return performanceData(runs);
  },
};
