import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import {
  InvalidTokenError,
  KeysUnavailableError,
  OidcAuthError,
} from '../../../../lib/protocol/errors/errors.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import { createVerifier, type VerifierConfig } from '../../../../lib/core/jwt/create-verifier.js';
import type { IssuerOptions } from '../../../../lib/core/issuers/issuer-options.js';
import type { ResolverProblem } from '../../../../lib/core/issuers/issuer-resolver.js';
import { VerifiedTokenCache } from '../../../../lib/core/jwt/verified-token-cache.js';
import { rejected } from '../../../support/thrown.js';

const START = 1_800_000_000_000;
const secretOf = (iss: string) => `${iss}-a-shared-secret-of-32-bytes-or-more`;
const tenant = (iss: string, extra: Partial<IssuerOptions> = {}): IssuerOptions => ({
  issuer: iss,
  audience: 'api',
  secret: secretOf(iss),
  ...extra,
});

function hs256(claims: Record<string, unknown>, secret: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A token of `iss`, signed with `iss`'s secret unless another is named. */
function tokenOf(iss: string, claims: Record<string, unknown> = {}, secret = secretOf(iss)) {
  const iat = Math.floor(clock / 1000);
  return hs256({ iss, sub: 'u1', aud: 'api', iat, exp: iat + 3600, ...claims }, secret);
}

let clock = START;

interface Setup {
  verifier: ReturnType<typeof createVerifier>;
  asked: string[];
  problems: ResolverProblem[];
}

function setup(
  resolve: (iss: string) => ReturnType<NonNullable<VerifierConfig['issuerResolver']>>,
  extra: Partial<VerifierConfig> = {},
): Setup {
  const asked: string[] = [];
  const problems: ResolverProblem[] = [];
  const verifier = createVerifier({
    issuers: [],
    issuerResolver: (iss) => {
      asked.push(iss);
      return resolve(iss);
    },
    now: () => clock,
    onResolverProblem: (problem) => problems.push(problem),
    ...extra,
  });
  return { verifier, asked, problems };
}

const refusalOf = (promise: Promise<unknown>) => rejected(OidcAuthError, promise);

const TENANTS = new Set(['https://a.example', 'https://b.example']);
const byTenant = (iss: string) => (TENANTS.has(iss) ? tenant(iss) : undefined);

beforeEach(() => {
  clock = START;
});

describe('issuer resolver', () => {
  it('verifies an approved tenant asynchronously first, then synchronously from memory', async () => {
    const { verifier, asked } = setup(byTenant);
    const token = tokenOf('https://a.example');
    expect(verifier.verifyNow(token)).toBeUndefined();
    expect((await verifier.verify(token)).principal.subject).toBe('u1');
    expect(verifier.verifyNow(tokenOf('https://a.example', { sub: 'u2' }))?.principal.subject).toBe(
      'u2',
    );
    expect(asked).toEqual(['https://a.example']);
    expect(verifier.resolvedIssuerCount).toBe(1);
  });

  it("verifies each tenant with its own keys, never with another tenant's", async () => {
    const { verifier } = setup(byTenant);
    await verifier.verify(tokenOf('https://b.example'));
    const forged = tokenOf('https://a.example', {}, secretOf('https://b.example'));
    const err = await refusalOf(verifier.verify(forged));
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect(err.reason).toBe('signature_invalid');
  });

  it('never asks about an issuer a static entry matches', async () => {
    const { verifier, asked } = setup(byTenant, { issuers: [tenant('https://static.example')] });
    expect(verifier.verifyNow(tokenOf('https://static.example'))).toBeDefined();
    expect(asked).toEqual([]);
    expect(verifier.issuers.map((i) => i.issuer)).toEqual(['https://static.example']);
  });

  it('asks once per unknown issuer and remembers the refusal for negativeTtlMs', async () => {
    const { verifier, asked } = setup(byTenant, { resolverCache: { negativeTtlMs: 10_000 } });
    const tokens = Array.from({ length: 1000 }, (_, i) => tokenOf(`https://unknown-${i}.example`));
    for (const token of tokens) {
      expect((await refusalOf(verifier.verify(token))).reason).toBe('unknown_issuer');
    }
    expect(asked).toHaveLength(1000);
    // Remembered: refused without waiting and without asking again.
    for (const token of tokens) expect(() => verifier.verifyNow(token)).toThrow(InvalidTokenError);
    expect(asked).toHaveLength(1000);
    clock += 10_000;
    expect(verifier.verifyNow(tokens[0])).toBeUndefined();
    await refusalOf(verifier.verify(tokens[0]));
    expect(asked).toHaveLength(1001);
  });

  it('remembers at most maxNegative refusals, forgetting the least recently used', async () => {
    const { verifier, asked } = setup(byTenant, { resolverCache: { maxNegative: 10 } });
    const tokens = Array.from({ length: 20 }, (_, i) => tokenOf(`https://unknown-${i}.example`));
    for (const token of tokens) await refusalOf(verifier.verify(token));
    await refusalOf(verifier.verify(tokens[19]));
    expect(asked).toHaveLength(20);
    await refusalOf(verifier.verify(tokens[0]));
    expect(asked).toHaveLength(21);
  });

  it('keeps at most maxIssuers approved issuers, evicting the least recently used', async () => {
    const { verifier, asked } = setup(tenant, { resolverCache: { maxIssuers: 2 } });
    for (const name of ['a', 'b', 'c']) await verifier.verify(tokenOf(`https://${name}.example`));
    expect(verifier.resolvedIssuerCount).toBe(2);
    expect(verifier.verifyNow(tokenOf('https://c.example'))).toBeDefined();
    expect(verifier.verifyNow(tokenOf('https://a.example'))).toBeUndefined();
    await verifier.verify(tokenOf('https://a.example'));
    expect(asked).toEqual([
      'https://a.example',
      'https://b.example',
      'https://c.example',
      'https://a.example',
    ]);
  });

  it('stops trusting a tenant removed from the resolver once ttlMs has passed', async () => {
    const tenants = new Set(['https://a.example']);
    const { verifier, asked } = setup((iss) => (tenants.has(iss) ? tenant(iss) : undefined), {
      resolverCache: { ttlMs: 30_000 },
    });
    const verified = await verifier.verify(tokenOf('https://a.example'));
    expect(verified.trustedUntil).toBe(START + 30_000);
    tenants.delete('https://a.example');
    clock += 29_999;
    expect(verifier.verifyNow(tokenOf('https://a.example'))).toBeDefined();
    clock += 1;
    const token = tokenOf('https://a.example');
    expect(verifier.verifyNow(token)).toBeUndefined();
    expect((await refusalOf(verifier.verify(token))).reason).toBe('unknown_issuer');
    expect(asked).toEqual(['https://a.example', 'https://a.example']);
  });

  it('keeps the key set of a tenant the resolver approves again, with its keys loaded', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] };
    const refreshed: string[] = [];
    const { verifier, asked } = setup(
      (iss) => ({ issuer: iss, audience: 'api', jwks, algorithms: ['RS256'] }),
      { resolverCache: { ttlMs: 30_000 }, onKeysRefreshed: (iss) => refreshed.push(iss) },
    );
    const rs256 = () => {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const iat = Math.floor(clock / 1000);
      const claims = { iss: 'https://a.example', sub: 'u1', aud: 'api', iat, exp: iat + 3600 };
      const input = `${part({ alg: 'RS256', kid: 'k1' })}.${part(claims)}`;
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    };
    await verifier.verify(rs256());
    clock += 30_000;
    expect(verifier.verifyNow(rs256())).toBeUndefined();
    expect(verifier.resolvedIssuerCount).toBe(0);
    await verifier.verify(rs256());
    expect(verifier.verifyNow(rs256())).toBeDefined();
    expect(asked).toEqual(['https://a.example', 'https://a.example']);
    expect(refreshed).toEqual(['https://a.example']);
  });

  it('shares one resolver call among concurrent tokens of one new issuer', async () => {
    let answer!: (options: IssuerOptions) => void;
    const { verifier, asked } = setup(
      () => new Promise<IssuerOptions>((resolve) => (answer = resolve)),
    );
    const pending = Array.from({ length: 50 }, (_, i) =>
      verifier.verify(tokenOf('https://a.example', { sub: `u${i}` })),
    );
    await Promise.resolve();
    answer(tenant('https://a.example'));
    const verified = await Promise.all(pending);
    expect(verified.map((v) => v.principal.subject)).toEqual(pending.map((_, i) => `u${i}`));
    expect(asked).toEqual(['https://a.example']);
  });

  it.each([
    [
      'throws',
      (): IssuerOptions => {
        throw new Error('database down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('database down'))],
  ])(
    'answers 503 with Retry-After when the resolver %s, and asks again a second later',
    async (_, resolve) => {
      const { verifier, asked, problems } = setup(resolve);
      const token = tokenOf('https://a.example');
      const err = await refusalOf(verifier.verify(token));
      expect(err).toBeInstanceOf(KeysUnavailableError);
      expect((err as KeysUnavailableError).retryAfterSeconds).toBe(1);
      expect(problems).toEqual([
        { kind: 'failed', iss: 'https://a.example', error: new Error('database down') },
      ]);
      expect(() => verifier.verifyNow(token)).toThrow(KeysUnavailableError);
      expect(asked).toHaveLength(1);
      clock += 1000;
      await refusalOf(verifier.verify(token));
      expect(asked).toHaveLength(2);
    },
  );

  it("refuses a token when the resolver answers with another issuer's entry", async () => {
    const { verifier, problems } = setup(() => tenant('https://b.example'));
    const token = tokenOf('https://a.example', {}, secretOf('https://b.example'));
    expect((await refusalOf(verifier.verify(token))).reason).toBe('unknown_issuer');
    expect(problems).toEqual([
      {
        kind: 'invalid_entry',
        iss: 'https://a.example',
        message: expect.stringContaining('with the entry of "https://b.example"'),
      },
    ]);
  });

  it('refuses a token when the resolver answers with an invalid entry, naming what is wrong', async () => {
    const { verifier, problems } = setup((iss) => ({ issuer: iss }) as IssuerOptions);
    expect((await refusalOf(verifier.verify(tokenOf('https://a.example')))).reason).toBe(
      'unknown_issuer',
    );
    expect(problems).toEqual([
      {
        kind: 'invalid_entry',
        iss: 'https://a.example',
        message: expect.stringContaining('issuerResolver("https://a.example").audience'),
      },
    ]);
  });

  it("holds a resolved {tenantid} template to the token's own tid", async () => {
    const template = 'https://login.example/{tenantid}/v2.0';
    const { verifier } = setup(() => tenant(template, { allowedTenants: ['t1', 't2'] }));
    const secret = secretOf(template);
    const iss = 'https://login.example/t1/v2.0';
    expect((await verifier.verify(tokenOf(iss, { tid: 't1' }, secret))).issuer).toBe(template);
    const err = await refusalOf(verifier.verify(tokenOf(iss, { tid: 't2' }, secret)));
    expect(err.reason).toBe('issuer_mismatch');
  });
});

describe('issuer resolver options', () => {
  const config = (extra: Partial<VerifierConfig>) => () =>
    createVerifier({ issuers: [], issuerResolver: byTenant, ...extra });

  it.each([
    [{ resolverCache: { ttlMs: 0 } }, 'resolverCache.ttlMs'],
    [{ resolverCache: 60_000 as unknown as object }, 'resolverCache'],
    [{ resolverCache: { maxIssuers: 1.5 } }, 'resolverCache.maxIssuers'],
    [{ resolverCache: { negativeTtlMs: -1 } }, 'resolverCache.negativeTtlMs'],
    [{ resolverCache: { maxNegative: Number.NaN } }, 'resolverCache.maxNegative'],
    [{ resolverCache: { maxEntries: 3 } as object }, 'resolverCache.maxEntries'],
    [{ issuerResolver: 'https://a.example' as unknown as undefined }, 'issuerResolver'],
    [
      { issuerResolver: undefined, issuers: [tenant('https://a.example')], resolverCache: {} },
      'resolverCache',
    ],
    [{ issuerResolver: undefined }, 'issuers'],
  ])('refuses %j at startup, naming %s', (extra, option) => {
    expect(config(extra)).toThrow(OidcAuthConfigError);
    expect(config(extra)).toThrow(`OidcAuthModule: ${option} `);
  });
});

describe('verified-token cache and resolved issuers', () => {
  it('serves a token no longer than its issuer is trusted', async () => {
    const { verifier } = setup(byTenant, { resolverCache: { ttlMs: 30_000 } });
    const cache = new VerifiedTokenCache({
      maxEntries: 10,
      clockToleranceSeconds: 60,
      now: () => clock,
    });
    const token = tokenOf('https://a.example');
    const verified = await verifier.verify(token);
    for (let i = 0; i < 2; i += 1) {
      cache.set(
        token,
        verified.principal,
        verified.issuer,
        verified.kid,
        verified.key,
        verified.trustedUntil,
      );
    }
    expect(cache.get(token)).toBe(verified.principal);
    clock += 30_000;
    expect(cache.get(token)).toBeUndefined();
  });
});

describe('re-checking the issuer of a token verified earlier (long-lived connections)', () => {
  const ttlMs = 60_000;

  it('costs a lookup while the approval holds, asks again once it ran out, and refuses a removed tenant', async () => {
    const tenants = new Set(['https://a.example']);
    const { verifier, asked } = setup((iss) => (tenants.has(iss) ? tenant(iss) : undefined), {
      resolverCache: { ttlMs },
    });
    const { principal } = await verifier.verify(tokenOf('https://a.example'));
    expect(verifier.recheckIssuer(principal.claims)).toBeUndefined();
    expect(asked).toEqual(['https://a.example']);
    clock += ttlMs;
    await expect(verifier.recheckIssuer(principal.claims)).resolves.toBeUndefined();
    expect(asked).toHaveLength(2);
    tenants.delete('https://a.example');
    expect(verifier.recheckIssuer(principal.claims)).toBeUndefined();
    clock += ttlMs;
    const err = await refusalOf(verifier.recheckIssuer(principal.claims) as Promise<void>);
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect(err.reason).toBe('unknown_issuer');
    // The refusal is remembered: the next message is refused without waiting.
    expect(() => verifier.recheckIssuer(principal.claims)).toThrow(InvalidTokenError);
  });

  it('answers 503, not a refusal, while the resolver fails', async () => {
    let down = false;
    const { verifier } = setup(
      (iss) => {
        if (down) throw new Error('tenant database down');
        return tenant(iss);
      },
      { resolverCache: { ttlMs } },
    );
    const { principal } = await verifier.verify(tokenOf('https://a.example'));
    down = true;
    clock += ttlMs;
    const err = await refusalOf(verifier.recheckIssuer(principal.claims) as Promise<void>);
    expect(err).toBeInstanceOf(KeysUnavailableError);
  });

  it('is nothing at all for static issuers', () => {
    const verifier = createVerifier({
      issuers: [tenant('https://static.example')],
      now: () => clock,
    });
    const { principal } = verifier.verifyNow(tokenOf('https://static.example'))!;
    clock += 10 * ttlMs;
    expect(verifier.recheckIssuer(principal.claims)).toBeUndefined();
  });
});
