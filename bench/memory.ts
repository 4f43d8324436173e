/**
 * `npm run bench:memory`: RSS growth of an API under two request streams, beside the same stream
 * against a bare app (much of a Node server's RSS growth under load is V8 sizing its heap, whatever
 * the app does) and against the tutorial passport-jwt setup:
 *
 * - one-off: 1,000,000 requests, each with a token the module has not seen. Minting a million
 *   RSA tokens takes too long, so 120,000 ES256 tokens are cycled: more than the cache holds and
 *   more than its doorkeeper remembers.
 * - mixed: 23,000 distinct tokens an API meets under attack (10,000 valid, 3,000 expired, 5,000
 *   forged, 5,000 with made-up `kid`s), while the issuer's JWKS endpoint fails with 500 (after the
 *   first 1,000 requests, so every app has loaded the keys), with the module's refusals logged.
 *
 * `BENCH_MEMORY_RUNS` (one-off,mixed), `BENCH_MEMORY_REQUESTS` / `BENCH_MIXED_REQUESTS`,
 * `BENCH_MEMORY_TOKENS`, `BENCH_PLATFORMS` and `BENCH_ROUTES` change the shape of a run;
 * `BENCH_LOG_REFUSALS=0` and `BENCH_MIXED_FAULT=none` switch off the logging and the failing issuer,
 * to find what the growth comes from. Writes
 * bench/results/memory.json.
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalIssuer } from '../lib/testing/index.js';
import { rssMb } from './process-stats.js';
import {
  type Platform,
  PLATFORMS,
  type Route,
  ROUTES,
  type Scenario,
  scenarioName,
  selected,
} from './scenarios.js';
import { spawnServer, stopServer } from './spawn-server.js';

const RUNS = ['one-off', 'mixed'] as const;
type Run = (typeof RUNS)[number];
const PORT = 3901;
const FIRST = 1000;

interface Traffic {
  issuer: LocalIssuer;
  tokens: string[];
  total: number;
  routes: Route[];
  /** Applied after the first 1,000 requests. */
  fault?: 'http500';
  logRefusals: boolean;
}

interface Growth {
  run: Run;
  scenario: string;
  firstMb: number;
  samplesMb: number[];
  lastMb: number;
  growthMb: number;
  /**
   * MB committed per V8 heap space, then live heap and external memory after a full collection:
   * after 1,000 requests and at the end.
   */
  heapFirst: Record<string, number>;
  heapLast: Record<string, number>;
  /** RSS at the end, after that full collection. */
  afterGcMb: number;
  requests: number;
  non2xx: number;
}

/** Where the server's memory is, by V8 heap space (see server.ts). */
function heapOf(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      const line = chunk
        .toString()
        .split('\n')
        .find((l) => l.startsWith('heap '));
      if (!line) return;
      child.stdout!.off('data', onData);
      resolve(JSON.parse(line.slice(5)) as Record<string, number>);
    };
    child.stdout!.on('data', onData);
    child.kill('SIGUSR2');
  });
}

async function send(amount: number, tokens: string[], offset: number): Promise<number> {
  let next = offset;
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}/hello`,
    connections: 32,
    amount,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
        }),
      },
    ],
  });
  return result.non2xx;
}

async function oneOffTraffic(): Promise<Traffic> {
  const count = Number(process.env.BENCH_MEMORY_TOKENS ?? 120_000);
  const issuer = await LocalIssuer.start({ audience: 'api://bench' });
  await issuer.addKey({ alg: 'ES256', retire: true });
  process.stdout.write(`Minting ${count} one-off tokens...\n`);
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) tokens.push(await issuer.mint({}, { expiresIn: 7200 }));
  return {
    issuer,
    tokens,
    total: Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000),
    routes: ['bare', 'guard-cold'],
    logRefusals: false,
  };
}

/** Valid, expired, forged and unknown-`kid` tokens, interleaved so every stretch holds each kind. */
async function mixedTraffic(): Promise<Traffic> {
  const issuer = await LocalIssuer.start({ audience: 'api://bench' });
  process.stdout.write('Minting 23,000 mixed tokens...\n');
  const kinds: string[][] = [[], [], [], []];
  for (let i = 0; i < 10_000; i += 1) kinds[0].push(await issuer.mint({}, { expiresIn: 7200 }));
  for (let i = 0; i < 3_000; i += 1) kinds[1].push(await issuer.mint({}, { expiresIn: -3600 }));
  for (let i = 0; i < 5_000; i += 1) {
    // A valid token's header and payload under another valid token's signature.
    const [header, payload] = kinds[0][i].split('.');
    kinds[2].push(`${header}.${payload}.${kinds[0][i + 1].split('.')[2]}`);
  }
  for (let i = 0; i < 5_000; i += 1) {
    kinds[3].push(await issuer.mint({}, { expiresIn: 7200, header: { kid: `rotated-${i}` } }));
  }
  const tokens: string[] = [];
  for (let i = 0; tokens.length < 23_000; i += 1) {
    for (const kind of kinds) if (i < kind.length) tokens.push(kind[i]);
  }
  return {
    issuer,
    tokens,
    total: Number(process.env.BENCH_MIXED_REQUESTS ?? 300_000),
    routes: ['bare', 'guard-cold', 'tutorial-cold'],
    fault: process.env.BENCH_MIXED_FAULT === 'none' ? undefined : 'http500',
    logRefusals: true,
  };
}

async function measure(run: Run, traffic: Traffic, scenario: Scenario): Promise<Growth> {
  traffic.issuer.fault = 'none';
  const child = await spawnServer(scenario, PORT, traffic.issuer, {
    BENCH_LOG_REFUSALS: process.env.BENCH_LOG_REFUSALS ?? (traffic.logRefusals ? '1' : '0'),
  });
  const name = scenarioName(scenario);
  try {
    let non2xx = await send(FIRST, traffic.tokens, 0);
    if (traffic.fault) traffic.issuer.fault = traffic.fault;
    const firstMb = rssMb(child.pid!);
    const heapFirst = await heapOf(child);
    process.stdout.write(`${run} ${name}: RSS after 1,000 requests: ${firstMb.toFixed(1)} MB\n`);
    const samplesMb: number[] = [];
    const step = Math.max(FIRST, Math.round(traffic.total / 10));
    let sent = FIRST;
    while (sent < traffic.total) {
      const amount = Math.min(step, traffic.total - sent);
      non2xx += await send(amount, traffic.tokens, sent);
      sent += amount;
      samplesMb.push(rssMb(child.pid!));
      process.stdout.write(
        `${run} ${name}: RSS after ${sent.toLocaleString('en')} requests: ${samplesMb.at(-1)!.toFixed(1)} MB\n`,
      );
    }
    const lastMb = rssMb(child.pid!);
    const heapLast = await heapOf(child);
    // What the process keeps once V8 has collected what it was only holding on to.
    const afterGcMb = rssMb(child.pid!);
    // RSS swings by tens of MB with the garbage collector's cycles; the median of the second half
    // of the samples is what the process settled at.
    const settled = samplesMb.slice(Math.floor(samplesMb.length / 2)).sort((a, b) => a - b);
    return {
      run,
      scenario: name,
      firstMb,
      samplesMb,
      lastMb,
      growthMb: settled[Math.floor(settled.length / 2)] - firstMb,
      heapFirst,
      heapLast,
      afterGcMb,
      requests: sent,
      non2xx,
    };
  } finally {
    await stopServer(child);
  }
}

async function main() {
  const runs = selected<Run>('BENCH_MEMORY_RUNS', RUNS);
  const platforms = selected<Platform>('BENCH_PLATFORMS', PLATFORMS);
  const routes = selected<Route>('BENCH_ROUTES', ROUTES);
  const results: Growth[] = [];
  for (const run of runs) {
    const traffic = run === 'one-off' ? await oneOffTraffic() : await mixedTraffic();
    try {
      for (const platform of platforms) {
        for (const route of traffic.routes.filter((r) => routes.includes(r))) {
          results.push(await measure(run, traffic, { route, platform }));
        }
      }
    } finally {
      await traffic.issuer.close();
    }
  }
  process.stdout.write(
    '\nrun      scenario                 after 1,000  peak MB  last MB  growth (settled)  non-2xx\n',
  );
  for (const r of results) {
    process.stdout.write(
      `${r.run.padEnd(8)} ${r.scenario.padEnd(24)} ${r.firstMb.toFixed(1).padStart(11)}  ${Math.max(
        ...r.samplesMb,
      )
        .toFixed(1)
        .padStart(
          7,
        )}  ${r.lastMb.toFixed(1).padStart(7)}  ${r.growthMb.toFixed(1).padStart(15)}  ${String(r.non2xx).padStart(7)}  (${r.requests.toLocaleString('en')} requests)\n`,
    );
  }
  process.stdout.write(
    '\nMB after 1,000 requests -> at the end: committed by V8 heap space; live after a full GC\n',
  );
  for (const r of results) {
    const moved = Object.keys(r.heapLast)
      .filter((space) => Math.abs(r.heapLast[space] - (r.heapFirst[space] ?? 0)) >= 0.5)
      .map(
        (space) => `${space} ${r.heapFirst[space]?.toFixed(1)}->${r.heapLast[space].toFixed(1)}`,
      );
    process.stdout.write(
      `${r.run.padEnd(8)} ${r.scenario.padEnd(24)} ${moved.join(', ')}; RSS after it ${r.afterGcMb.toFixed(1)}\n`,
    );
  }
  process.stdout.write(
    '(targets: one-off guard-cold within 50 MB of its RSS after 1,000; mixed guard-cold no worse than the peers, +25 MB)\n',
  );
  const out = join(import.meta.dirname, '..', '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'memory.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2),
  );
  process.stdout.write('Wrote bench/results/memory.json\n');
}

void main();
