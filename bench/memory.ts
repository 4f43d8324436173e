/**
 * `npm run bench:memory`: RSS of an API behind nest-oidc-auth after 1,000 and after 1,000,000
 * requests with distinct tokens. Minting a million RSA tokens takes too long, so 120,000 ES256
 * tokens are cycled: more than the cache holds and more than its doorkeeper remembers, so to the
 * module every request carries a token it has not seen.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalIssuer } from '../test/support/local-issuer.js';

const TOTAL = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const TOKENS = Number(process.env.BENCH_MEMORY_TOKENS ?? 120_000);
const PORT = 3901;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
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

async function main() {
  const issuer = await LocalIssuer.start({ audience: 'api://bench' });
  await issuer.addKey({ alg: 'ES256', retire: true });
  process.stdout.write(`Minting ${TOKENS} tokens...\n`);
  const tokens: string[] = [];
  for (let i = 0; i < TOKENS; i += 1) tokens.push(await issuer.mint({}, { expiresIn: 7200 }));
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'server.js'),
      'guard-cold',
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
    process.stdout.write(`RSS after 1,000 requests: ${first.toFixed(1)} MB\n`);
    let sent = 1000;
    const step = 100_000;
    while (sent < TOTAL) {
      const amount = Math.min(step, TOTAL - sent);
      failures += await send(amount, tokens, sent);
      sent += amount;
      process.stdout.write(
        `RSS after ${sent.toLocaleString('en')} requests: ${rssMb(child.pid!).toFixed(1)} MB\n`,
      );
    }
    const last = rssMb(child.pid!);
    process.stdout.write(
      `\nGrowth ${(last - first).toFixed(1)} MB over ${sent.toLocaleString('en')} requests (target <= 50 MB), non-2xx ${failures}\n`,
    );
  } finally {
    child.kill();
    await issuer.close();
  }
}

void main();
