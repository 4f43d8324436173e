import { jest } from '@jest/globals';
import { type INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { forge } from '../../support/forge.js';
import { appsOn, PLATFORMS } from '../../support/test-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

jest.setTimeout(180_000);

// A full collection before each heap reading, so the check sees live memory rather than garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function liveHeapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

// Node's HTTP client refuses control characters in header values; everything else is fair game,
// so arbitrary unicode is sent as its UTF-8 bytes.
function asHeaderValue(text: string): string {
  const bytes = Buffer.from(text, 'utf8').toString('latin1');
  return [...bytes].filter((c) => c === '\t' || (c >= ' ' && c !== '\x7f')).join('');
}

// 10,000 headers in all, shared between the platforms.
const RUNS = 10_000 / PLATFORMS.length;

describe.each(PLATFORMS)('fuzzing the guard over HTTP (%s)', (platform) => {
  const appWith = appsOn(platform);
  const issuer = suiteIssuer();
  let app: INestApplication;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  beforeAll(async () => {
    app = await appWith({ issuers: trusted(issuer) });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    agent.destroy();
    await app.close();
  });

  function status(authorization: string, path = '/notes'): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, agent, headers: { authorization } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it(`answers ${RUNS.toLocaleString('en')} generated Authorization headers with 400, 401 or 403 only`, async () => {
    const valid = await issuer.mint({ scope: 'notes:read' });
    const mutate = fc
      .tuple(
        fc.nat(valid.length - 1),
        fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'dup'),
        fc.string({ maxLength: 8 }),
      )
      .map(([at, how, text]) => {
        if (how === 'flip')
          return valid.slice(0, at) + (valid[at] === 'A' ? 'B' : 'A') + valid.slice(at + 1);
        if (how === 'insert') return valid.slice(0, at) + text + valid.slice(at);
        if (how === 'delete') return valid.slice(0, at) + valid.slice(at + 1);
        if (how === 'truncate') return valid.slice(0, at);
        return `${valid}.${valid.slice(at)}`;
      });
    const forged = fc
      .tuple(fc.object(), fc.object(), fc.string())
      .map(([header, payload, signature]) =>
        forge(header, payload, Buffer.from(signature).toString('base64url')),
      );
    const wellTyped = fc
      .record({
        alg: fc.constantFrom('RS256', 'none', 'HS256', 'ES256', 'RS512', 'PS256', 'EdDSA'),
        kid: fc.oneof(fc.constant(issuer.currentKid), fc.string(), fc.integer()),
        crit: fc.option(fc.array(fc.string())),
      })
      .chain((header) =>
        fc
          .record({
            iss: fc.constantFrom(issuer.issuer, 'https://evil.example', ''),
            aud: fc.oneof(fc.constant(issuer.audience), fc.array(fc.string()), fc.integer()),
            exp: fc.oneof(
              fc.integer(),
              fc.double(),
              fc.string(),
              fc.constant(Math.floor(Date.now() / 1000) + 300),
            ),
            sub: fc.oneof(fc.string(), fc.constant(undefined)),
          })
          .map((payload) => forge(header, payload, valid.split('.')[2])),
      );
    const token = fc.oneof(
      mutate,
      forged,
      wellTyped,
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    const header = fc.oneof(
      token.map((t) => `Bearer ${t}`),
      fc
        .tuple(
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', 'Token', ''),
          fc.string({ unit: 'binary' }),
        )
        .map(([scheme, rest]) => `${scheme} ${rest}`),
      fc.string({ unit: 'binary', maxLength: 500 }),
      fc.tuple(token, token).map(([a, b]) => `Bearer ${a}, Bearer ${b}`),
    );

    const seen = new Map<number, number>();
    const heapBefore = liveHeapMb();
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const code = await status(asHeaderValue(value));
        seen.set(code, (seen.get(code) ?? 0) + 1);
        // Segments must be canonical base64url: a mutation that decodes to the signed bytes (spare
        // bits, padding) is another spelling, refused like any other change.
        return (
          code === 400 ||
          code === 401 ||
          code === 403 ||
          (code === 200 && value === `Bearer ${valid}`)
        );
      }),
      { numRuns: RUNS },
    );
    expect(liveHeapMb() - heapBefore).toBeLessThan(30);
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([400, 401]));
    expect(await status(`Bearer ${valid}`)).toBe(200);
    expect(await status('', '/health')).toBe(200);
  });
});
