/**
 * `npm run bench`: throughput of a bare Nest route against the same route behind nest-oidc-auth
 * (warm: one token repeated; cold: a new token on every request), behind the tutorial passport-jwt
 * setup, and behind a guard doing only one raw RS256 verify; plus in-process verifications/s.
 * Everything runs on 127.0.0.1, each server in its own process, in alternating rounds.
 */
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenVerifier } from '../lib/nest/token-verifier.provider.js';
import { LocalIssuer } from '../lib/testing/index.js';
import { rssMb } from './rss.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { verificationOps } from './verify-ops.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const CONNECTIONS = 32;
const COLD_TOKENS = Number(process.env.BENCH_COLD_TOKENS ?? 12_000);
const PORT = 3900;
const here = import.meta.dirname;

interface Sample {
  rps: number;
  p99: number;
  rssMb: number;
  non2xx: number;
}

async function startServer(scenario: Scenario, issuer: LocalIssuer): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(here, 'server.js'), scenario, String(PORT), issuer.issuer, issuer.audience],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${scenario} did not start`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`${scenario} exited with ${code}`)));
  });
  return child;
}

async function load(
  scenario: Scenario,
  warmToken: string,
  coldTokens: string[],
): Promise<Omit<Sample, 'rssMb'>> {
  const cold = scenario.endsWith('-cold');
  const authenticated = !scenario.startsWith('bare');
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}/hello`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: authenticated && !cold ? { authorization: `Bearer ${warmToken}` } : {},
    requests: cold
      ? [
          {
            setupRequest: (req) => ({
              ...req,
              headers: {
                ...req.headers,
                authorization: `Bearer ${coldTokens[next++ % coldTokens.length]}`,
              },
            }),
          },
        ]
      : undefined,
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const issuer = await LocalIssuer.start({ audience: 'api://bench' });
  const claims = { scope: 'notes:read' };
  const warmToken = await issuer.mint(claims, { expiresIn: 3600 });
  process.stdout.write(`Minting ${COLD_TOKENS} tokens for the cold path...\n`);
  const coldTokens: string[] = [];
  for (let i = 0; i < COLD_TOKENS; i += 1)
    coldTokens.push(await issuer.mint(claims, { expiresIn: 3600 }));

  const samples = new Map<Scenario, Sample[]>(SCENARIOS.map((s) => [s, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const scenario of SCENARIOS) {
      const child = await startServer(scenario, issuer);
      try {
        await load(scenario, warmToken, coldTokens.slice(0, 500));
        const sample = await load(scenario, warmToken, coldTokens);
        samples.get(scenario)!.push({ ...sample, rssMb: rssMb(child.pid!) });
        process.stdout.write(
          `round ${round} ${scenario.padEnd(14)} ${Math.round(sample.rps)} req/s\n`,
        );
      } finally {
        child.kill();
      }
    }
  }

  const summary = SCENARIOS.map((scenario) => {
    const runs = samples.get(scenario)!;
    return {
      scenario,
      rps: Math.round(median(runs.map((r) => r.rps))),
      p99Ms: median(runs.map((r) => r.p99)),
      rssMb: Math.round(median(runs.map((r) => r.rssMb))),
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    };
  });
  const rps = (s: Scenario) => summary.find((r) => r.scenario === s)!.rps;
  const ratios = {
    warmVsBare: rps('guard-warm') / rps('bare-express'),
    coldVsRawVerify: rps('guard-cold') / rps('raw-verify'),
    warmVsTutorial: rps('guard-warm') / rps('tutorial-warm'),
    coldVsTutorial: rps('guard-cold') / rps('tutorial-cold'),
  };

  const verifier = createTokenVerifier(
    { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
    null,
  );
  await verifier.verify(coldTokens[0]);
  const ops = await verificationOps(
    coldTokens.slice(0, 2000),
    issuer.jwks().keys[0] as never,
    verifier,
    issuer.issuer,
    issuer.audience,
  );
  await issuer.close();

  const bare = rps('bare-express');
  process.stdout.write('\nHTTP (median of rounds; ratio to bare-express in this run)\n');
  process.stdout.write('scenario        req/s   ratio  p99 ms  RSS MB  non-2xx\n');
  for (const r of summary) {
    process.stdout.write(
      `${r.scenario.padEnd(14)} ${String(r.rps).padStart(6)}  ${(r.rps / bare).toFixed(2).padStart(5)}  ${String(r.p99Ms).padStart(6)}  ${String(r.rssMb).padStart(6)}  ${String(r.non2xx).padStart(7)}\n`,
    );
  }
  process.stdout.write('\nTargets\n');
  process.stdout.write(
    `warm / bare-express         ${ratios.warmVsBare.toFixed(2)} (target >= 0.90)\n`,
  );
  process.stdout.write(
    `cold / raw-verify           ${ratios.coldVsRawVerify.toFixed(2)} (target >= 0.80)\n`,
  );
  process.stdout.write(
    `warm / tutorial-warm        ${ratios.warmVsTutorial.toFixed(2)} (target > 1)\n`,
  );
  process.stdout.write(
    `cold / tutorial-cold        ${ratios.coldVsTutorial.toFixed(2)} (target > 1)\n`,
  );
  process.stdout.write('\nIn-process verifications per second (one core)\n');
  const limit = ops[0].opsPerSecond;
  for (const o of ops) {
    process.stdout.write(
      `${o.name.padEnd(60)} ${String(o.opsPerSecond).padStart(7)}  ${(o.opsPerSecond / limit).toFixed(2)}\n`,
    );
  }
  const out = join(here, '..', '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'latest.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        rounds: ROUNDS,
        durationS: DURATION_S,
        connections: CONNECTIONS,
        summary,
        ratios,
        verificationOps: ops,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`\nWrote bench/results/latest.json\n`);
}

void main();
