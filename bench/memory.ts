/**
 * `npm run bench:memory`: RSS of an API behind nest-oidc-auth after 1,000 and after 1,000,000
 * requests with distinct tokens, beside the same request stream against a bare app, since much of
 * a Node server's RSS growth under load is V8 sizing its heap, whatever the app does. Minting a million RSA tokens takes too long, so 120,000 ES256
 * tokens are cycled: more than the cache holds and more than its doorkeeper remembers, so to the
 * module every request carries a token it has not seen.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LocalIssuer } from '../lib/testing/index.js';
import { rssMb } from './rss.js';

const TOTAL = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const TOKENS = Number(process.env.BENCH_MEMORY_TOKENS ?? 120_000);
const PORT = 3901;

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

async function main() {
  const issuer = await LocalIssuer.start({ audience: 'api://bench' });
  await issuer.addKey({ alg: 'ES256', retire: true });
  process.stdout.write(`Minting ${TOKENS} tokens...\n`);
  const tokens: string[] = [];
  for (let i = 0; i < TOKENS; i += 1) tokens.push(await issuer.mint({}, { expiresIn: 7200 }));
  const results: string[] = [];
  for (const scenario of ['bare-express', 'guard-cold']) {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, 'server.js'),
        scenario,
        String(PORT),
        issuer.issuer,
        issuer.audience,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.includes('ready') && resolve()),
    );
    try {
      let failures = await send(1000, tokens, 0);
      const first = rssMb(child.pid!);
      process.stdout.write(`${scenario}: RSS after 1,000 requests: ${first.toFixed(1)} MB\n`);
      let sent = 1000;
      const step = 100_000;
      while (sent < TOTAL) {
        const amount = Math.min(step, TOTAL - sent);
        failures += await send(amount, tokens, sent);
        sent += amount;
        process.stdout.write(
          `${scenario}: RSS after ${sent.toLocaleString('en')} requests: ${rssMb(child.pid!).toFixed(1)} MB\n`,
        );
      }
      const growth = rssMb(child.pid!) - first;
      results.push(
        `${scenario.padEnd(13)} growth ${growth.toFixed(1)} MB over ${sent.toLocaleString('en')} requests, non-2xx ${failures}`,
      );
    } finally {
      child.kill();
    }
  }
  await issuer.close();
  process.stdout.write(
    `\n${results.join('\n')}\n(target: guard-cold within 50 MB of its RSS after 1,000)\n`,
  );
}

void main();
