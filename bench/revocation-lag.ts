/**
 * `npm run bench:revocation-lag`: how long a revocation takes to cross replicas. Two replicas of
 * an API (each its own process) share one `redis-server`; for each of `BENCH_LAG_EVENTS` (1,000)
 * users, a token of theirs is accepted (and cached) by replica B, a `session-revoked` SET for them
 * is pushed to replica A, and from A's 202 on, B is asked again and again until it refuses the
 * token. The lag is the time from A's 202 to B's first 401; reported as percentiles. A measurement,
 * not a test: it runs on 127.0.0.1 only, bounded in events and in time per event.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalIssuer } from '../lib/testing/index.js';
import { LocalRedis } from '../test/support/redis-server.js';
import { BENCH_PUSH_AUTHORIZATION, BENCH_RECEIVER } from './replica-server.js';
import type { Platform } from './scenarios.js';

const EVENTS = Number(process.env.BENCH_LAG_EVENTS ?? 1000);
const PLATFORM = (process.env.BENCH_PLATFORM ?? 'express') as Platform;
const PORT = Number(process.env.BENCH_PORT ?? 3900);
// An event whose refusal takes longer than this is counted as missed, and the run goes on.
const GIVE_UP_MS = 5000;
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

async function replica(
  port: number,
  redis: LocalRedis,
  idp: LocalIssuer,
  transmitter: LocalIssuer,
) {
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'replica-server.js'),
      PLATFORM,
      String(port),
      idp.issuer,
      idp.audience,
      String(redis.port),
      transmitter.issuer,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica on ${port} did not start`)), 20_000);
    child.once('exit', (code) => reject(new Error(`replica on ${port} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const redis = await LocalRedis.start();
  const [idp, transmitter] = await Promise.all([LocalIssuer.start(), LocalIssuer.start()]);
  const children: ChildProcess[] = [];
  try {
    children.push(await replica(PORT, redis, idp, transmitter));
    children.push(await replica(PORT + 1, redis, idp, transmitter));
    const a = `http://127.0.0.1:${PORT}`;
    const b = `http://127.0.0.1:${PORT + 1}`;
    const ask = async (token: string) => {
      const res = await fetch(`${b}/hello`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    };
    const lags: number[] = [];
    let firstAsk = 0;
    let missed = 0;
    const iat = Math.floor(Date.now() / 1000) - 10;
    for (let i = 0; i < EVENTS; i += 1) {
      const sub = `lag-user-${i}`;
      const token = await idp.mint({ sub, iat }, { expiresIn: 3600 });
      if ((await ask(token)) !== 200)
        throw new Error(`replica B refused ${sub} before its revocation`);
      const set = await transmitter.signRaw(
        { typ: 'secevent+jwt' },
        {
          iss: transmitter.issuer,
          aud: BENCH_RECEIVER,
          iat: Math.floor(Date.now() / 1000),
          jti: `lag-${i}-${Date.now()}`,
          sub_id: { format: 'iss_sub', iss: idp.issuer, sub },
          events: { [SESSION_REVOKED]: {} },
        },
      );
      const pushed = await fetch(`${a}/ssf/events`, {
        method: 'POST',
        headers: {
          authorization: BENCH_PUSH_AUTHORIZATION,
          'content-type': 'application/secevent+jwt',
        },
        body: set,
      });
      await pushed.arrayBuffer();
      if (pushed.status !== 202) throw new Error(`replica A answered the push ${pushed.status}`);
      const accepted = performance.now();
      let asks = 0;
      for (;;) {
        asks += 1;
        const status = await ask(token);
        const lag = performance.now() - accepted;
        if (status === 401) {
          lags.push(lag);
          if (asks === 1) firstAsk += 1;
          break;
        }
        if (lag > GIVE_UP_MS) {
          missed += 1;
          break;
        }
      }
    }
    lags.sort((x, y) => x - y);
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    process.stdout.write(
      `Revocation lag, push accepted on replica A (202) to first refusal on replica B (401), ${PLATFORM}, ${EVENTS} events:\n` +
        `p50 ${ms(percentile(lags, 50))}  p90 ${ms(percentile(lags, 90))}  p99 ${ms(percentile(lags, 99))}  max ${ms(lags.at(-1)!)}\n` +
        `refused at B's first request after the 202: ${firstAsk} of ${EVENTS}; not refused within ${GIVE_UP_MS} ms: ${missed}\n`,
    );
  } finally {
    await Promise.all(children.map(stop));
    await Promise.all([idp.close(), transmitter.close()]);
    await redis.stop();
  }
}

void main();
