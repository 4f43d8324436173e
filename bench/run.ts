/**
 * `npm run bench`: throughput of a bare Nest route against the same route behind nest-oidc-auth
 * (warm: one token repeated; cold: a new token on every request; churn: a cycling set of more tokens
 * than the verified-token cache holds), behind the tutorial passport-jwt
 * setup, and behind a guard doing only one raw RS256 verify, on Express and on Fastify; opaque
 * tokens through introspection (warm: one cached token; cold: each new token shared by the
 * concurrent connections, counting introspection calls per request); plus in-process
 * verifications/s, and the cold path of RS256, ES256 and EdDSA tokens each against a raw
 * node:crypto verify of the same tokens. Each guard scenario is reported as a ratio to its own platform's
 * bare and raw-verify routes. Everything runs on 127.0.0.1, each server in its own process, in
 * alternating rounds.
 */
import autocannon from 'autocannon';
import { createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  createTokenVerifier,
  createVerifiedTokenCache,
} from '../lib/nest/authentication/token-verifier.provider.js';
import { type DpopBoundToken, LocalIssuer } from '../lib/testing/index.js';
import { OidcPrincipal } from '../lib/core/claims/principal.js';
import { BenchIntrospectionEndpoint } from './introspection-endpoint.js';
import { cpuMs, rssMb } from './process-stats.js';
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
import { coldPathByAlgorithm, coldPathPieces, verificationOps } from './verify-ops.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
// More than guard-cold can send twice in one run at any rate this machine reaches, so that every
// request of it is a verification: a token is served from the cache from its third request on.
const COLD_TOKENS = Number(process.env.BENCH_COLD_TOKENS ?? 40_000);
// guard-churn cycles this many of them: 1.5 times the cache's default 10,000 entries.
const CHURN_TOKENS = Number(process.env.BENCH_CHURN_TOKENS ?? 15_000);
const WARM_UP_TOKENS = 500;
const PORT = Number(process.env.BENCH_PORT ?? 3900);
// Proofs made afresh for every load run, more than one run serves: none is ever replayed.
const DPOP_PROOFS = Number(process.env.BENCH_DPOP_PROOFS ?? 40_000);
const here = import.meta.dirname;
// `npm run bench -- --record` also writes the run as bench/results/<date>-<commit>.json, a file to
// commit: the documentation site's performance page draws its charts from every such file.
const RECORD = process.argv.includes('--record');

/** The checked-out commit, short, with `-dirty` when the tree has changes; `unknown` outside git. */
function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain') ? '-dirty' : '');
  } catch {
    return 'unknown';
  }
}

interface Load {
  rps: number;
  p99: number;
  requests: number;
  non2xx: number;
}

interface Sample extends Load {
  /** guard-cold and guard-churn: the share of requests the verified-token cache answered. */
  cacheHits: number;
  rssMb: number;
  /** The server's CPU time per request served, in microseconds. */
  cpuUs: number;
  /** Calls the introspection endpoint received per request served (introspect routes). */
  introspectionCalls: number;
}

// The opaque token of introspect-warm: cached after its first request.
const OPAQUE_WARM_TOKEN = 'bench-opaque-warm';

/**
 * introspect-cold: each new opaque token is sent by as many consecutive requests as there are
 * connections, so that concurrent requests carry the same token not yet cached: with single-flight
 * they share one introspection call. Fresh tokens for every load, so nothing is cached beforehand.
 */
function opaqueColdTokens(): (n: number) => string {
  const run = randomUUID();
  return (n) => `bench-opaque-${run}-${Math.floor(n / CONNECTIONS)}`;
}

const isDpop = (route: Route) => route.endsWith('-dpop');

/** Proofs for `GET /hello` with `bound`'s token, each with its own `jti`, made just now. */
function dpopProofs(bound: DpopBoundToken): string[] {
  const url = `http://127.0.0.1:${PORT}/hello`;
  return Array.from({ length: DPOP_PROOFS }, () => bound.proof({ method: 'GET', url }));
}

/**
 * Warm routes (and bare and noop-guard, ignoring it) repeat one token; every other authenticated route (raw-verify included, so that
 * the load generator does the same work for it as for guard-cold) cycles through `coldTokens`
 * (guard-churn through its first `CHURN_TOKENS`).
 * DPoP routes send the same DPoP-bound token with a new proof on every request, as clients do.
 */
async function load(
  route: Route,
  warmToken: string,
  coldTokens: string[],
  duration: number,
  bound: DpopBoundToken,
): Promise<Load> {
  const cycling = route === 'raw-verify' || route.endsWith('-cold') || route === 'guard-churn';
  const opaque = route === 'introspect-cold' ? opaqueColdTokens() : undefined;
  const tokenAt = opaque ?? ((n: number) => coldTokens[n % coldTokens.length]);
  const warm = route === 'introspect-warm' ? OPAQUE_WARM_TOKEN : warmToken;
  let next = 0;
  const proofs = isDpop(route) ? dpopProofs(bound) : [];
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}/hello`,
    connections: CONNECTIONS,
    duration,
    // bare and noop-guard get the warm route's request, header included: parsing an 800-byte
    // Authorization header is the request's cost, not the guard's.
    headers:
      route.endsWith('-warm') || route === 'bare' || route === 'noop-guard'
        ? { authorization: `Bearer ${warm}` }
        : {},
    requests: cycling
      ? [
          {
            setupRequest: (req) => ({
              ...req,
              headers: {
                ...req.headers,
                authorization: `Bearer ${tokenAt(next++)}`,
              },
            }),
          },
        ]
      : isDpop(route)
        ? [
            {
              setupRequest: (req) => ({
                ...req,
                headers: {
                  ...req.headers,
                  authorization: `DPoP ${bound.token}`,
                  dpop: proofs[next++ % proofs.length],
                },
              }),
            },
          ]
        : undefined,
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
  };
}

/**
 * The share of a run's requests the server's verified-token cache answered, found by sending the
 * same tokens in the same order (each `[tokens, requests]` cycles `tokens` for `requests`
 * requests, as `load` does) through a cache made as the server's is, with its default options.
 * The server itself is not asked, so that nothing is counted on its hot path.
 */
function replayedCacheHits(
  warmUp: [string[], number],
  measured: [string[], number],
  key: KeyObject,
): number {
  // The module's own factory with the bench server's (default) cache options.
  const cache = createVerifiedTokenCache({ issuers: [] })!;
  const principal = new OidcPrincipal(
    'bench',
    'bench',
    [],
    new Date(Date.now() + 3_600_000),
    { scopes: [], roles: [], isAppOnly: false },
    {},
  );
  let hits = 0;
  for (const [phase, [tokens, requests]] of [warmUp, measured].entries()) {
    for (let n = 0; n < requests; n += 1) {
      const token = tokens[n % tokens.length];
      if (cache.get(token)) {
        if (phase === 1) hits += 1;
      } else {
        cache.set(token, principal, 'bench', undefined, key);
      }
    }
  }
  return hits / measured[1];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fixed = (n: number, width: number, digits = 2) => n.toFixed(digits).padStart(width);

async function main() {
  const platforms = selected<Platform>('BENCH_PLATFORMS', PLATFORMS);
  const routes = selected<Route>('BENCH_ROUTES', ROUTES);
  const scenarios: Scenario[] = routes.flatMap((route) =>
    platforms.map((platform) => ({ route, platform })),
  );
  const issuer = await LocalIssuer.start({ audience: 'api://bench' });
  const introspection = await BenchIntrospectionEndpoint.start(issuer.issuer, issuer.audience);
  const claims = { scope: 'notes:read' };
  const warmToken = await issuer.mint(claims, { expiresIn: 3600 });
  const bound = await issuer.mintDpop({ claims }, { expiresIn: 3600 });
  process.stdout.write(`Minting ${COLD_TOKENS} tokens for the cold path...\n`);
  const coldTokens: string[] = [];
  for (let i = 0; i < COLD_TOKENS; i += 1)
    coldTokens.push(await issuer.mint(claims, { expiresIn: 3600 }));
  const issuerKey = createPublicKey({ key: issuer.jwks().keys[0] as never, format: 'jwk' });

  const samples = new Map<string, Sample[]>(scenarios.map((s) => [scenarioName(s), []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const scenario of scenarios) {
      const name = scenarioName(scenario);
      const child = await spawnServer(scenario, PORT, issuer, {
        BENCH_INTROSPECTION_ENDPOINT: introspection.url,
        BENCH_DPOP_JWK: JSON.stringify(bound.key.publicJwk),
      });
      try {
        // The warm-up uses other tokens than the measurement, so the cold path stays cold.
        const warmUpTokens = coldTokens.slice(-WARM_UP_TOKENS);
        const warmUp = await load(scenario.route, warmToken, warmUpTokens, DURATION_S, bound);
        const cpuBefore = cpuMs(child.pid!);
        const callsBefore = introspection.calls;
        const measured =
          scenario.route === 'guard-churn'
            ? coldTokens.slice(0, CHURN_TOKENS)
            : coldTokens.slice(0, -WARM_UP_TOKENS);
        const sample = await load(scenario.route, warmToken, measured, DURATION_S, bound);
        const cpuUs = ((cpuMs(child.pid!) - cpuBefore) * 1000) / sample.requests;
        const introspectionCalls = (introspection.calls - callsBefore) / sample.requests;
        const cacheHits =
          scenario.route === 'guard-cold' || scenario.route === 'guard-churn'
            ? replayedCacheHits(
                [warmUpTokens, warmUp.requests],
                [measured, sample.requests],
                issuerKey,
              )
            : 0;
        samples
          .get(name)!
          .push({ ...sample, cpuUs, introspectionCalls, cacheHits, rssMb: rssMb(child.pid!) });
        const calls = scenario.route.startsWith('introspect')
          ? ` ${introspectionCalls.toFixed(3)} introspection calls/req`
          : cacheHits
            ? ` ${(cacheHits * 100).toFixed(1)}% from the cache`
            : '';
        process.stdout.write(
          `round ${round} ${name.padEnd(22)} ${Math.round(sample.rps)} req/s ${cpuUs.toFixed(1)} µs CPU/req${calls}\n`,
        );
      } finally {
        await stopServer(child);
      }
    }
  }

  const summary = scenarios.map((scenario) => {
    const runs = samples.get(scenarioName(scenario))!;
    return {
      scenario: scenarioName(scenario),
      ...scenario,
      rps: Math.round(median(runs.map((r) => r.rps))),
      cpuUs: Math.round(median(runs.map((r) => r.cpuUs)) * 10) / 10,
      p99Ms: median(runs.map((r) => r.p99)),
      rssMb: Math.round(median(runs.map((r) => r.rssMb))),
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      introspectionCallsPerRequest: median(runs.map((r) => r.introspectionCalls)),
      cacheHits: median(runs.map((r) => r.cacheHits)),
    };
  });
  const find = (route: Route, platform: Platform) =>
    summary.find((r) => r.route === route && r.platform === platform);
  const rps = (route: Route, platform: Platform) => find(route, platform)?.rps ?? Number.NaN;
  // Requests per CPU-second: what throughput would be if the server had a core to itself.
  const perCpu = (route: Route, platform: Platform) => 1 / (find(route, platform)?.cpuUs ?? NaN);
  const ratios = Object.fromEntries(
    platforms.map((p) => [
      p,
      {
        warmVsBare: rps('guard-warm', p) / rps('bare', p),
        coldVsRawVerify: rps('guard-cold', p) / rps('raw-verify', p),
        churnVsRawVerify: rps('guard-churn', p) / rps('raw-verify', p),
        coldVsBare: rps('guard-cold', p) / rps('bare', p),
        rawVerifyVsBare: rps('raw-verify', p) / rps('bare', p),
        warmVsTutorial: rps('guard-warm', p) / rps('tutorial-warm', p),
        coldVsTutorial: rps('guard-cold', p) / rps('tutorial-cold', p),
        introspectWarmVsWarm: rps('introspect-warm', p) / rps('guard-warm', p),
        dpopVsRawDpop: rps('guard-dpop', p) / rps('raw-dpop', p),
        cpu: {
          warmVsBare: perCpu('guard-warm', p) / perCpu('bare', p),
          coldVsRawVerify: perCpu('guard-cold', p) / perCpu('raw-verify', p),
          churnVsRawVerify: perCpu('guard-churn', p) / perCpu('raw-verify', p),
          introspectWarmVsWarm: perCpu('introspect-warm', p) / perCpu('guard-warm', p),
          dpopVsRawDpop: perCpu('guard-dpop', p) / perCpu('raw-dpop', p),
        },
      },
    ]),
  );

  const verifier = createTokenVerifier(
    { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
    null,
  );
  await verifier.verify(coldTokens[0]);
  const opsOn = process.env.BENCH_OPS !== 'off';
  const ops = opsOn
    ? await verificationOps(
        coldTokens.slice(0, 2000),
        issuer.jwks().keys[0] as never,
        verifier,
        issuer.issuer,
        issuer.audience,
      )
    : [];
  const pieces = opsOn ? await coldPathPieces(coldTokens.slice(0, 2000)) : [];
  const byAlgorithm = opsOn ? await coldPathByAlgorithm(2000) : [];
  await issuer.close();
  await introspection.close();

  process.stdout.write(
    `\nHTTP (median of ${ROUNDS} rounds, ${CONNECTIONS} connections; ratios to the same platform's routes)\n`,
  );
  process.stdout.write(
    'scenario                req/s  /bare  /raw-verify  µs CPU/req  /bare  /raw-verify  p99 ms  RSS MB  non-2xx\n',
  );
  for (const r of summary) {
    const p = r.platform;
    process.stdout.write(
      `${r.scenario.padEnd(22)} ${String(r.rps).padStart(6)}  ${fixed(r.rps / rps('bare', p), 5)}  ${fixed(r.rps / rps('raw-verify', p), 11)}  ${fixed(r.cpuUs, 10, 1)}  ${fixed(perCpu(r.route, p) / perCpu('bare', p), 5)}  ${fixed(perCpu(r.route, p) / perCpu('raw-verify', p), 11)}  ${String(r.p99Ms).padStart(6)}  ${String(r.rssMb).padStart(6)}  ${String(r.non2xx).padStart(7)}\n`,
    );
  }
  process.stdout.write('\nTargets (req/s ratio; in brackets the same ratio per CPU-second)\n');
  for (const p of platforms) {
    const r = ratios[p];
    process.stdout.write(
      `${p.padEnd(8)} warm / bare ${fixed(r.warmVsBare, 5)} [${fixed(r.cpu.warmVsBare, 4)}] (target >= 0.90)   cold / raw-verify ${fixed(r.coldVsRawVerify, 5)} [${fixed(r.cpu.coldVsRawVerify, 4)}] (target >= 0.90)   warm / tutorial ${fixed(r.warmVsTutorial, 5)}   cold / tutorial ${fixed(r.coldVsTutorial, 5)}   dpop / raw-dpop ${fixed(r.dpopVsRawDpop, 5)} [${fixed(r.cpu.dpopVsRawDpop, 4)}] (target >= 0.85)\n`,
    );
  }
  const cached = summary.filter((r) => r.route === 'guard-cold' || r.route === 'guard-churn');
  if (cached.length) {
    process.stdout.write(
      `\nVerified-token cache (${CHURN_TOKENS} tokens cycled by guard-churn; shares by replaying each run's requests through the cache)\n`,
    );
    for (const p of platforms) {
      const r = ratios[p];
      process.stdout.write(
        `${p.padEnd(8)} churn / raw-verify ${fixed(r.churnVsRawVerify, 5)} [${fixed(r.cpu.churnVsRawVerify, 4)}]\n`,
      );
    }
    for (const r of cached) {
      process.stdout.write(
        `${r.scenario.padEnd(22)} ${(r.cacheHits * 100).toFixed(1).padStart(5)}% of requests answered from the cache\n`,
      );
    }
  }
  const revoking = summary.filter((r) => r.route.startsWith('revocation-'));
  if (revoking.length) {
    process.stdout.write(
      '\nRevocation check (the revocation option on, its list empty or holding 100,000 other users; ratio to the same path without it, req/s [per CPU-second])\n',
    );
    for (const r of revoking) {
      const without = r.route.endsWith('-warm') ? 'guard-warm' : 'guard-cold';
      process.stdout.write(
        `${r.scenario.padEnd(26)} / ${without.padEnd(10)} ${fixed(r.rps / rps(without, r.platform), 5)} [${fixed(perCpu(r.route, r.platform) / perCpu(without, r.platform), 4)}]\n`,
      );
    }
  }
  const introspecting = summary.filter((r) => r.route.startsWith('introspect'));
  if (introspecting.length) {
    process.stdout.write('\nIntrospection (opaque tokens; a local RFC 7662 endpoint)\n');
    for (const p of platforms) {
      const r = ratios[p];
      process.stdout.write(
        `${p.padEnd(8)} cached introspection / warm JWT ${fixed(r.introspectWarmVsWarm, 5)} [${fixed(r.cpu.introspectWarmVsWarm, 4)}] (target >= 0.90)\n`,
      );
    }
    for (const r of introspecting) {
      process.stdout.write(
        `${r.scenario.padEnd(22)} ${r.introspectionCallsPerRequest.toFixed(3)} introspection calls per request\n`,
      );
    }
  }
  if (ops.length) {
    process.stdout.write('\nIn-process verifications per second (one core)\n');
    const limit = ops[0].opsPerSecond;
    for (const o of ops) {
      process.stdout.write(
        `${o.name.padEnd(60)} ${String(o.opsPerSecond).padStart(7)}  ${(o.opsPerSecond / limit).toFixed(2)}\n`,
      );
    }
  }
  if (pieces.length) {
    process.stdout.write('\nCold-path work besides the signature check (one core, µs per call)\n');
    for (const o of pieces) {
      process.stdout.write(
        `${o.name.padEnd(60)} ${(1e6 / o.opsPerSecond).toFixed(2).padStart(7)}\n`,
      );
    }
    process.stdout.write(
      `${'node:crypto RS256 verify, for scale'.padEnd(60)} ${(1e6 / ops[0].opsPerSecond).toFixed(2).padStart(7)}\n`,
    );
  }
  if (byAlgorithm.length) {
    process.stdout.write(
      '\nCold path by algorithm (one core; tokens never seen; ratio to one raw node:crypto verify of the same tokens)\n',
    );
    for (const { algorithm, raw, verifier } of byAlgorithm) {
      process.stdout.write(
        `${algorithm.padEnd(8)} raw ${String(raw.opsPerSecond).padStart(7)}/s   verifyNow ${String(verifier.opsPerSecond).padStart(7)}/s   verifyNow / raw ${(verifier.opsPerSecond / raw.opsPerSecond).toFixed(2)}\n`,
      );
    }
  }
  const out = join(here, '..', '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const date = new Date().toISOString();
  const revision = commit();
  const text = JSON.stringify(
    {
      date,
      commit: revision,
      node: process.version,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        loadAverage: loadavg(),
      },
      rounds: ROUNDS,
      durationS: DURATION_S,
      connections: CONNECTIONS,
      cache: process.env.BENCH_CACHE ?? 'on',
      summary,
      ratios,
      verificationOps: ops,
      coldPathPieces: pieces,
      coldPathByAlgorithm: byAlgorithm,
    },
    null,
    2,
  );
  writeFileSync(join(out, 'latest.json'), text + '\n');
  process.stdout.write(`\nWrote bench/results/latest.json\n`);
  if (RECORD) {
    const name = `${date.slice(0, 10)}-${revision}.json`;
    writeFileSync(join(out, name), text + '\n');
    process.stdout.write(
      `Recorded bench/results/${name}: commit it to chart it on the docs site\n`,
    );
  }
}

void main();
