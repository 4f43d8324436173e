/**
 * Turns the benchmark runs committed under bench/results/ (`npm run bench -- --record`) into what
 * the performance page shows: Mermaid `xychart-beta` definitions and the tables beside them. Pure
 * functions, run at build time by docs/performance.data.ts; the page renders each definition with
 * the Mermaid component vitepress-plugin-mermaid registers.
 */

/** One scenario of a run: a route served on one platform (bench/run.ts, `summary`). */
export interface BenchRow {
  scenario: string;
  route: string;
  platform: string;
  rps: number;
  cpuUs: number;
  p99Ms?: number;
  rssMb?: number;
  non2xx?: number;
}

interface Ops {
  name: string;
  opsPerSecond: number;
}

/** A run as bench/run.ts writes it; older runs lack `commit` and `machine`. NaN ratios are null. */
export interface BenchRun {
  date: string;
  commit?: string;
  node: string;
  machine?: { cpus: number; cpuModel: string; loadAverage: number[] };
  rounds: number;
  durationS: number;
  connections: number;
  cache?: string;
  summary: BenchRow[];
  ratios: Record<string, Record<string, number | null | Record<string, number | null>>>;
  verificationOps?: Ops[];
  coldPathPieces?: Ops[];
  coldPathByAlgorithm?: { algorithm: string; raw: Ops; verifier: Ops }[];
}

export interface Table {
  head: string[];
  rows: string[][];
}

export interface Chart {
  /** Unique within the page: the DOM id Mermaid renders into. */
  id: string;
  title: string;
  /** The Mermaid definition. */
  mermaid: string;
  table: Table;
}

export interface RunView {
  /** The file's name without `.json`, e.g. `2026-12-06-1b9d5aa`. */
  name: string;
  date: string;
  commit: string;
  node: string;
  machine: string;
  shape: string;
  charts: Chart[];
}

export interface PerformanceData {
  /** Newest first. */
  runs: RunView[];
  /** The target ratios of every run, oldest to newest; `null` with fewer than two runs. */
  history: Chart | null;
}

const PLATFORM_NAMES: Record<string, string> = { express: 'Express', fastify: 'Fastify' };
const platformName = (p: string) => PLATFORM_NAMES[p] ?? p;

/** The ratios the issue set targets for, as bench/run.ts names them in `ratios[platform]`. */
const RATIOS = [
  { key: 'warmVsBare', label: 'warm / bare', target: 0.9 },
  { key: 'coldVsRawVerify', label: 'cold / raw verify', target: 0.9 },
  { key: 'churnVsRawVerify', label: 'churn / raw verify', target: undefined },
  { key: 'dpopVsRawDpop', label: 'DPoP / raw DPoP', target: 0.85 },
  { key: 'introspectWarmVsWarm', label: 'introspect / warm', target: 0.9 },
] as const;

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
const round = (n: number, digits: number) => Number(n.toFixed(digits));
/** A Mermaid string literal: double quotes are the only character its grammar cannot hold. */
const quote = (s: string) => `"${s.replace(/"/g, "'")}"`;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const PALETTE = '#4f6fd8, #2f9e6f, #d9822b, #b04fb8';

interface Series {
  kind: 'bar' | 'line';
  title?: string;
  values: number[];
}

/** An `xychart-beta` definition; values are rounded, the y axis starts at 0. */
export function xychart(options: {
  title: string;
  categories: string[];
  yLabel: string;
  series: Series[];
  horizontal?: boolean;
  digits?: number;
}): string {
  const digits = options.digits ?? 0;
  const max = Math.max(0, ...options.series.flatMap((s) => s.values));
  const top = max === 0 ? 1 : round(max * 1.1, digits === 0 ? 0 : digits);
  return [
    '---',
    'config:',
    '  xyChart:',
    `    width: ${options.horizontal ? 760 : 720}`,
    `    height: ${options.horizontal ? Math.max(240, 48 * options.categories.length + 80) : 380}`,
    '    showDataLabel: true',
    // Mermaid's default bar colour is a pale lilac, hard to see on white: a blue that reads on the
    // light and the dark theme, then a green and an orange for further series.
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${PALETTE}"`,
    '---',
    `xychart-beta${options.horizontal ? ' horizontal' : ''}`,
    `  title ${quote(options.title)}`,
    `  x-axis [${options.categories.map(quote).join(', ')}]`,
    `  y-axis ${quote(options.yLabel)} 0 --> ${top}`,
    ...options.series.map(
      (s) =>
        `  ${s.kind}${s.title ? ` ${quote(s.title)}` : ''} [${s.values.map((v) => round(v, digits)).join(', ')}]`,
    ),
  ].join('\n');
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function platformsOf(run: BenchRun): string[] {
  return [...new Set(run.summary.map((r) => r.platform))];
}

function ratio(run: BenchRun, platform: string, key: string, cpu: boolean): number | null {
  const ratios = run.ratios?.[platform];
  const value = cpu
    ? (ratios?.cpu as Record<string, number | null> | undefined)?.[key]
    : ratios?.[key];
  return finite(value) ? value : null;
}

/** The target ratios present in the run: one bar per ratio and platform, req/s and CPU side by side. */
function ratioCharts(run: BenchRun, id: string): Chart[] {
  const entries: { label: string; rps: number | null; cpu: number | null; target?: number }[] = [];
  for (const r of RATIOS) {
    for (const p of platformsOf(run)) {
      const rps = ratio(run, p, r.key, false);
      const cpu = ratio(run, p, r.key, true);
      if (rps === null && cpu === null) continue;
      entries.push({ label: `${r.label} ${platformName(p)}`, rps, cpu, target: r.target });
    }
  }
  if (entries.length === 0) return [];
  const table: Table = {
    head: ['ratio', 'by req/s', 'by CPU per request', 'target'],
    rows: entries.map((e) => [
      e.label,
      e.rps === null ? '–' : e.rps.toFixed(2),
      e.cpu === null ? '–' : e.cpu.toFixed(2),
      e.target === undefined ? '–' : `≥ ${e.target.toFixed(2)}`,
    ]),
  };
  const charts: Chart[] = [];
  for (const [key, label] of [
    ['cpu', 'per CPU-second (the steadier figure)'],
    ['rps', 'by requests per second'],
  ] as const) {
    const shown = entries.filter((e) => e[key] !== null);
    if (shown.length === 0) continue;
    charts.push({
      id: `${id}-ratios-${key}`,
      title: `Ratios to the baselines, ${label}`,
      mermaid: xychart({
        title: `Ratio to the baseline, ${label}`,
        categories: shown.map((e) => e.label),
        yLabel: 'ratio',
        horizontal: true,
        digits: 2,
        series: [{ kind: 'bar', values: shown.map((e) => e[key]!) }],
      }),
      table,
    });
  }
  return charts;
}

/** Requests per second and CPU time per request of every scenario, one chart per platform. */
function scenarioCharts(run: BenchRun, id: string): Chart[] {
  const charts: Chart[] = [];
  for (const measure of ['rps', 'cpuUs'] as const) {
    for (const p of platformsOf(run)) {
      const rows = run.summary.filter((r) => r.platform === p && finite(r[measure]));
      if (rows.length === 0) continue;
      const what = measure === 'rps' ? 'Requests per second' : 'CPU µs per request';
      charts.push({
        id: `${id}-${measure === 'rps' ? 'rps' : 'cpu'}-${p}`,
        title: `${what}, ${platformName(p)}`,
        mermaid: xychart({
          title: `${what}, ${platformName(p)}`,
          categories: rows.map((r) => r.route),
          yLabel: measure === 'rps' ? 'req/s' : 'µs CPU / request',
          horizontal: true,
          digits: measure === 'rps' ? 0 : 1,
          series: [{ kind: 'bar', values: rows.map((r) => r[measure]) }],
        }),
        table: {
          head: ['scenario', 'req/s', '/ bare', 'µs CPU per request', 'non-2xx'],
          rows: rows.map((r) => {
            const bare = run.summary.find((b) => b.platform === p && b.route === 'bare');
            return [
              r.route,
              fmt(r.rps),
              bare ? (r.rps / bare.rps).toFixed(2) : '–',
              fmt(r.cpuUs, 1),
              String(r.non2xx ?? '–'),
            ];
          }),
        },
      });
    }
  }
  return charts;
}

/** In-process figures: verifications per second, and the cold path of each algorithm. */
function inProcessCharts(run: BenchRun, id: string): Chart[] {
  const charts: Chart[] = [];
  const algorithms = (run.coldPathByAlgorithm ?? []).filter(
    (a) =>
      finite(a.raw?.opsPerSecond) && finite(a.verifier?.opsPerSecond) && a.raw.opsPerSecond > 0,
  );
  if (algorithms.length) {
    charts.push({
      id: `${id}-algorithms`,
      title: 'The cold path per algorithm',
      mermaid: xychart({
        title: 'verifyNow on unseen tokens / one raw node:crypto verify',
        categories: algorithms.map((a) => a.algorithm),
        yLabel: 'ratio',
        digits: 2,
        series: [
          {
            kind: 'bar',
            values: algorithms.map((a) => a.verifier.opsPerSecond / a.raw.opsPerSecond),
          },
        ],
      }),
      table: {
        head: ['algorithm', 'raw node:crypto verify/s', 'verifyNow/s', 'verifyNow / raw'],
        rows: algorithms.map((a) => [
          a.algorithm,
          fmt(a.raw.opsPerSecond),
          fmt(a.verifier.opsPerSecond),
          (a.verifier.opsPerSecond / a.raw.opsPerSecond).toFixed(2),
        ]),
      },
    });
  }
  const ops = (run.verificationOps ?? []).filter((o) => finite(o.opsPerSecond));
  if (ops.length) {
    const limit = ops[0].opsPerSecond;
    charts.push({
      id: `${id}-verifiers`,
      title: 'Verifications per second in process',
      mermaid: xychart({
        title: 'Verifications per second, one core',
        // The names are sentences; the table gives them whole.
        categories: ops.map((o) => o.name.replace(/\s*\(.*$/, '')),
        yLabel: 'verifications/s',
        horizontal: true,
        series: [{ kind: 'bar', values: ops.map((o) => o.opsPerSecond) }],
      }),
      table: {
        head: ['verifier', 'verifications/s', 'ratio to the first'],
        rows: ops.map((o) => [o.name, fmt(o.opsPerSecond), (o.opsPerSecond / limit).toFixed(2)]),
      },
    });
  }
  return charts;
}

export function runView(name: string, run: BenchRun): RunView {
  const id = `bench-${slug(name)}`;
  const machine = run.machine
    ? `${run.machine.cpus} × ${run.machine.cpuModel}, load average ${run.machine.loadAverage
        .map((n) => n.toFixed(1))
        .join(' / ')} at the end`
    : 'not recorded';
  return {
    name,
    date: run.date,
    commit: run.commit ?? 'not recorded',
    node: run.node,
    machine,
    shape: `median of ${run.rounds} round${run.rounds === 1 ? '' : 's'} of ${run.durationS} s, ${run.connections} connections, verified-token cache ${run.cache ?? 'on'}`,
    charts: [...ratioCharts(run, id), ...scenarioCharts(run, id), ...inProcessCharts(run, id)],
  };
}

/** The two target ratios of each platform over the runs (per CPU-second), oldest run first. */
export function historyChart(runs: { name: string; run: BenchRun }[]): Chart | null {
  if (runs.length < 2) return null;
  const platforms = [...new Set(runs.flatMap(({ run }) => platformsOf(run)))];
  const lines: { title: string; values: number[] }[] = [];
  for (const r of RATIOS.slice(0, 2)) {
    for (const p of platforms) {
      const values = runs.map(({ run }) => ratio(run, p, r.key, true));
      // A line needs a value at every run; a run without the scenario shows 0.
      if (values.some((v) => v !== null)) {
        lines.push({ title: `${r.label} ${platformName(p)}`, values: values.map((v) => v ?? 0) });
      }
    }
  }
  if (lines.length === 0) return null;
  return {
    id: 'bench-history',
    title: 'Target ratios over the recorded runs',
    mermaid: xychart({
      title: 'Target ratios per CPU-second, run by run',
      categories: runs.map(({ name }) => name),
      yLabel: 'ratio',
      digits: 2,
      series: lines.map((l) => ({ kind: 'line', title: l.title, values: l.values })),
    }),
    table: {
      head: ['run', ...lines.map((l) => l.title)],
      rows: runs.map(({ name }, i) => [name, ...lines.map((l) => l.values[i].toFixed(2))]),
    },
  };
}

/** Everything the page shows, from the runs keyed by file name (without `.json`). */
export function performanceData(runs: { name: string; run: BenchRun }[]): PerformanceData {
  const ordered = [...runs].sort(
    (a, b) => a.run.date.localeCompare(b.run.date) || a.name.localeCompare(b.name),
  );
  return {
    runs: ordered.map(({ name, run }) => runView(name, run)).reverse(),
    history: historyChart(ordered),
  };
}
