import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchRun, performanceData, xychart } from '../../../docs/.vitepress/bench-charts.js';

const RESULTS = join(import.meta.dirname, '..', '..', '..', 'bench', 'results');

function run(date: string, warmVsBare: number | null): BenchRun {
  const row = (route: string, platform: string, rps: number, cpuUs: number) => ({
    scenario: `${route}/${platform}`,
    route,
    platform,
    rps,
    cpuUs,
    non2xx: 0,
  });
  return {
    date,
    node: 'v20.20.2',
    rounds: 3,
    durationS: 4,
    connections: 10,
    summary: [row('bare', 'express', 5000, 200), row('guard-warm', 'express', 4500, 220.5)],
    ratios: {
      express: {
        warmVsBare: warmVsBare,
        coldVsRawVerify: null,
        cpu: { warmVsBare: warmVsBare === null ? null : 0.91, coldVsRawVerify: null },
      },
    },
    verificationOps: [],
    coldPathPieces: [],
    coldPathByAlgorithm: [
      {
        algorithm: 'EdDSA',
        raw: { name: 'raw', opsPerSecond: 4000 },
        verifier: { name: 'v', opsPerSecond: 3800 },
      },
    ],
  };
}

describe('the performance page charts', () => {
  it('draws a run: ratios present, requests/s and CPU per platform, the cold path per algorithm', () => {
    const { runs, history } = performanceData([
      { name: '2026-12-06-abc1234', run: run('2026-12-06T10:00:00Z', 0.9) },
    ]);
    expect(history).toBeNull();
    const [view] = runs;
    expect(view.commit).toBe('not recorded');
    expect(view.charts.map((c) => c.id)).toEqual([
      'bench-2026-12-06-abc1234-ratios-cpu',
      'bench-2026-12-06-abc1234-ratios-rps',
      'bench-2026-12-06-abc1234-rps-express',
      'bench-2026-12-06-abc1234-cpu-express',
      'bench-2026-12-06-abc1234-algorithms',
    ]);
    // Ratios a run could not compute (null in the JSON: NaN) are left out, not drawn as 0.
    expect(view.charts[0].mermaid).toContain('x-axis ["warm / bare Express"]');
    expect(view.charts[0].mermaid).toContain('bar [0.91]');
    expect(view.charts[3].mermaid).toContain('bar [200, 220.5]');
    expect(view.charts[4].table.rows).toEqual([['EdDSA', '4,000', '3,800', '0.95']]);
  });

  it('charts the target ratios across runs, oldest first, and lists runs newest first', () => {
    const { runs, history } = performanceData([
      { name: 'b', run: run('2026-12-07T10:00:00Z', 0.95) },
      { name: 'a', run: run('2026-12-06T10:00:00Z', 0.9) },
    ]);
    expect(runs.map((r) => r.name)).toEqual(['b', 'a']);
    expect(history?.mermaid).toContain('x-axis ["a", "b"]');
    expect(history?.mermaid).toContain('line "warm / bare Express" [0.91, 0.91]');
  });

  it('writes a Mermaid xychart with its y axis from 0 and quotes that cannot break it', () => {
    expect(
      xychart({
        title: 'say "hi"',
        categories: ['a'],
        yLabel: 'n',
        series: [{ kind: 'bar', values: [10] }],
      }),
    ).toContain(
      `xychart-beta\n  title "say 'hi'"\n  x-axis ["a"]\n  y-axis "n" 0 --> 11\n  bar [10]`,
    );
  });

  it('reads every run committed under bench/results/ into at least one chart', () => {
    const files = readdirSync(RESULTS).filter((f) => f.endsWith('.json') && f !== 'latest.json');
    expect(files.length).toBeGreaterThan(0);
    const { runs } = performanceData(
      files.map((f) => ({
        name: f.replace(/\.json$/, ''),
        run: JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as BenchRun,
      })),
    );
    for (const view of runs) expect(view.charts.length).toBeGreaterThan(0);
  });
});
