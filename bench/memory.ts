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
 * `BENCH_MEMORY_TOKENS` and `BENCH_PLATFORMS` change the shape of a run. Writes
 * bench/results/memory.json.
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalIssuer } from '../lib/testing/index.js';
import { rssMb } from './process-stats.js';
import {
  type Platform,
  PLATFORMS,
  type Route,
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
  requests: number;
  non2xx: number;
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
    fault: 'http500',
    logRefusals: true,
  };
}

async function measure(run: Run, traffic: Traffic, scenario: Scenario): Promise<Growth> {
  traffic.issuer.fault = 'none';
  const child = await spawnServer(scenario, PORT, traffic.issuer, {
    BENCH_LOG_REFUSALS: traffic.logRefusals ? '1' : '0',
  });
  const name = scenarioName(scenario);
  try {
    let non2xx = await send(FIRST, traffic.tokens, 0);
    if (traffic.fault) traffic.issuer.fault = traffic.fault;
    const firstMb = rssMb(child.pid!);
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
  const results: Growth[] = [];
  for (const run of runs) {
    const traffic = run === 'one-off' ? await oneOffTraffic() : await mixedTraffic();
    try {
      for (const platform of platforms) {
        for (const route of traffic.routes) {
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
