import { hash } from 'node:crypto';
import fc from 'fast-check';
import { UnsecuredJWT } from 'jose';
import {
  createVerifier,
  IntrospectionClientRefusedError,
  IntrospectionUnavailableError,
  type IntrospectionResult,
  type Introspector,
  InvalidTokenError,
  MemoryStore,
  type OidcStore,
  OpaqueTokenVerifier,
  toBearerErrorResponse,
} from '../../../../lib/index.js';
import type { IntrospectionProblem } from '../../../../lib/core/opaque/opaque-token-verifier.js';
import { isCompactJws } from '../../../../lib/core/opaque/opaque-token-verifier.js';

const ISS = 'https://as.example';
const AUD = 'api://notes';
const NOW = 1_800_000_000;
const TOLERANCE = 30;

/** An introspector answering whatever the test says, counting its calls. */
class ScriptedIntrospector implements Introspector {
  calls = 0;
  constructor(public answer: (token: string) => Promise<IntrospectionResult>) {}
  introspect(token: string): Promise<IntrospectionResult> {
    this.calls += 1;
    return this.answer(token);
  }
}

/** An introspector whose every answer, `answer()`'s, waits until `release()` is called. */
function held(answer: () => Promise<IntrospectionResult>) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const introspector = new ScriptedIntrospector(async () => {
    await gate;
    return answer();
  });
  return { introspector, release: () => release() };
}

/** A store that records what it is asked, over a MemoryStore or failing as told. */
class RecordingStore implements OidcStore {
  readonly sets: Array<{ key: string; value: string; ttlMs: number }> = [];
  readonly gets: string[] = [];
  private readonly memory = new MemoryStore();
  constructor(private readonly failing: 'none' | 'throws' | 'rejects' | 'async' = 'none') {}
  setIfAbsent(): boolean {
    throw new Error('not used');
  }
  get(key: string): string | undefined | Promise<string | undefined> {
    this.gets.push(key);
    if (this.failing === 'throws') throw new Error('store down');
    if (this.failing === 'rejects') return Promise.reject(new Error('store down'));
    if (this.failing === 'async') return Promise.resolve(this.memory.get(key));
    return this.memory.get(key);
  }
  set(key: string, value: string, ttlMs: number): void | Promise<void> {
    this.sets.push({ key, value, ttlMs });
    if (this.failing === 'throws') throw new Error('store down');
    if (this.failing === 'rejects') return Promise.reject(new Error('store down'));
    this.memory.set(key, value, ttlMs);
  }
}

const active = (members: Record<string, unknown> = {}): Promise<IntrospectionResult> =>
  Promise.resolve({
    active: true,
    claims: { iss: ISS, aud: AUD, sub: 'user-1', exp: NOW + 300, scope: 'notes:read', ...members },
  });

function build(
  introspector: Introspector,
  options: { store?: OidcStore; maxAgeMs?: number; inactiveMaxAgeMs?: number; now?: number } = {},
) {
  const problems: IntrospectionProblem[] = [];
  const now = () => (options.now ?? NOW) * 1000;
  const verifier = createVerifier({
    issuers: [
      {
        issuer: ISS,
        audience: AUD,
        jwks: { keys: [] },
        introspection: {
          introspector,
          maxAgeMs: options.maxAgeMs,
          inactiveMaxAgeMs: options.inactiveMaxAgeMs,
        },
      },
    ],
    clockToleranceSeconds: TOLERANCE,
    now,
  });
  const opaque = new OpaqueTokenVerifier({
    verifier,
    store: options.store ?? new MemoryStore(),
    clockToleranceSeconds: TOLERANCE,
    discoveryFetch: { timeoutMs: 1000, maxBytes: 1024 },
    onProblem: (problem) => problems.push(problem),
    now,
  });
  return { opaque, problems };
}

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (err) {
    return err;
  }
}

describe('isCompactJws', () => {
  it.each([
    ['a.b.c', true],
    ['ory_at_abc.def', false],
    ['ya29.a0AfH6SM', false],
    ['opaque', false],
    ['a.b.c.d.e', false],
    ['a..c', true],
  ])('%s -> %s', (token, expected) => {
    expect(isCompactJws(token)).toBe(expected);
  });
});

describe('OpaqueTokenVerifier', () => {
  it('makes the principal from an active answer, synchronously once cached in memory', async () => {
    const introspector = new ScriptedIntrospector(() => active({ username: 'ada' }));
    const { opaque } = build(introspector);
    const first = opaque.verify('opaque-1');
    expect(first).toBeInstanceOf(Promise);
    const principal = await first;
    expect(principal).toMatchObject({ subject: 'user-1', issuer: ISS, audience: [AUD] });
    expect(principal.hasScope('notes:read')).toBe(true);
    const second = opaque.verify('opaque-1');
    expect(second).not.toBeInstanceOf(Promise);
    expect((second as typeof principal).claims.username).toBe('ada');
    expect(introspector.calls).toBe(1);
  });

  it('keys the store by a hash of the token, never the token', async () => {
    const store = new RecordingStore();
    const { opaque } = build(new ScriptedIntrospector(() => active()), { store });
    await opaque.verify('secret-opaque-token');
    expect(store.sets).toHaveLength(1);
    expect(store.sets[0].key).toMatch(/^introspection:[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(store.sets)).not.toContain('secret-opaque-token');
  });

  it.each([
    ['maxAgeMs when the token lives longer', { exp: NOW + 3600 }, {}, 60_000],
    ['the token lifetime when shorter', { exp: NOW + 5 }, {}, 5_000],
    ['a configured maxAgeMs', { exp: NOW + 3600 }, { maxAgeMs: 2_000 }, 2_000],
  ])('keeps an active result for %s', async (_what, members, options, ttl) => {
    const store = new RecordingStore();
    const { opaque } = build(new ScriptedIntrospector(() => active(members)), {
      store,
      ...options,
    });
    await opaque.verify('t');
    expect(store.sets.map((s) => s.ttlMs)).toEqual([ttl]);
  });

  it('keeps an inactive result inactiveMaxAgeMs (default 10 s), and refuses it as token_inactive', async () => {
    for (const [options, ttl] of [
      [{}, 10_000],
      [{ inactiveMaxAgeMs: 1_500 }, 1_500],
    ] as const) {
      const store = new RecordingStore();
      const introspector = new ScriptedIntrospector(() => Promise.resolve({ active: false }));
      const { opaque } = build(introspector, { store, ...options });
      const err = await outcome(() => opaque.verify('t'));
      expect(err).toMatchObject({ reason: 'token_inactive' });
      expect(store.sets.map((s) => s.ttlMs)).toEqual([ttl]);
      expect(() => opaque.verify('t')).toThrow(InvalidTokenError);
      expect(introspector.calls).toBe(1);
    }
  });

  it('does not cache an answer whose exp has passed, nor an outage', async () => {
    const store = new RecordingStore();
    let fail = true;
    const introspector = new ScriptedIntrospector(() =>
      fail
        ? Promise.reject(new IntrospectionUnavailableError(ISS, 5, 'HTTP 502'))
        : active({ exp: NOW - 10 }),
    );
    const { opaque } = build(introspector, { store });
    expect(await outcome(() => opaque.verify('t'))).toBeInstanceOf(IntrospectionUnavailableError);
    fail = false;
    // Within the tolerance: accepted, but never stored past exp.
    await opaque.verify('t');
    expect(store.sets).toEqual([]);
    expect(introspector.calls).toBe(2);
  });

  it('shares one introspection among concurrent requests with the same new token', async () => {
    const { introspector, release } = held(active);
    const { opaque } = build(introspector);
    const pending = Array.from({ length: 10 }, () => opaque.verify('same'));
    const other = opaque.verify('other');
    release();
    const principals = await Promise.all([...pending, other]);
    expect(principals.every((p) => p.subject === 'user-1')).toBe(true);
    expect(introspector.calls).toBe(2);
  });

  it('shares the outage too, and asks again afterwards', async () => {
    const { introspector, release } = held(async () => {
      throw new Error('socket hang up');
    });
    const { opaque, problems } = build(introspector);
    const pending = Array.from({ length: 3 }, () => outcome(() => opaque.verify('t')));
    release();
    const errors = await Promise.all(pending);
    for (const err of errors) {
      expect(err).toBeInstanceOf(IntrospectionUnavailableError);
      expect(toBearerErrorResponse(err as IntrospectionUnavailableError)).toMatchObject({
        status: 503,
        code: 'temporarily_unavailable',
        headers: { 'Retry-After': '5' },
      });
    }
    expect(introspector.calls).toBe(1);
    expect(problems).toEqual([
      { kind: 'unavailable', issuer: ISS, detail: 'the introspector failed: socket hang up' },
    ]);
    await outcome(() => opaque.verify('t'));
    expect(introspector.calls).toBe(2);
  });

  it('reports refused client credentials apart from an outage, with status and error, as 503', async () => {
    const introspector = new ScriptedIntrospector(() =>
      Promise.reject(new IntrospectionClientRefusedError(ISS, 5, 401, 'invalid_client')),
    );
    const { opaque, problems } = build(introspector);
    const err = await outcome(() => opaque.verify('t'));
    expect(err).toBeInstanceOf(IntrospectionClientRefusedError);
    expect((err as IntrospectionClientRefusedError).reason).toBe('introspection_client_refused');
    expect(toBearerErrorResponse(err as IntrospectionClientRefusedError)).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '5' },
    });
    expect(problems).toEqual([
      { kind: 'client_refused', issuer: ISS, status: 401, error: 'invalid_client' },
    ]);
  });

  it('answers 503, not 500, when a custom introspector says active without claims', async () => {
    const introspector = new ScriptedIntrospector(() =>
      Promise.resolve({ active: true } as unknown as IntrospectionResult),
    );
    const { opaque, problems } = build(introspector);
    expect(await outcome(() => opaque.verify('t'))).toBeInstanceOf(IntrospectionUnavailableError);
    expect(problems).toEqual([
      {
        kind: 'unavailable',
        issuer: ISS,
        detail: 'the introspector failed: it answered active without claims',
      },
    ]);
  });

  it.each(['throws', 'rejects'] as const)(
    'introspects without the cache when the store %s, and reports it',
    async (failing) => {
      const store = new RecordingStore(failing);
      const introspector = new ScriptedIntrospector(() => active());
      const { opaque, problems } = build(introspector, { store });
      expect((await opaque.verify('t')).subject).toBe('user-1');
      expect((await opaque.verify('t')).subject).toBe('user-1');
      expect(introspector.calls).toBe(2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(problems.map((p) => p.kind === 'store' && p.operation)).toEqual([
        'get',
        'set',
        'get',
        'set',
      ]);
    },
  );

  it('works with a store that answers asynchronously (Redis)', async () => {
    const store = new RecordingStore('async');
    const introspector = new ScriptedIntrospector(() => active());
    const { opaque } = build(introspector, { store });
    await opaque.verify('t');
    const again = opaque.verify('t');
    expect(again).toBeInstanceOf(Promise);
    expect((await again).subject).toBe('user-1');
    expect(introspector.calls).toBe(1);
  });

  it('does not believe a stored entry naming an issuer it does not introspect for', () => {
    const store = new MemoryStore();
    const { opaque } = build(new ScriptedIntrospector(() => active()), { store });
    const key = `introspection:${hash('sha256', 't', 'base64url')}`;
    const planted = {
      issuer: 'https://evil.example',
      claims: { sub: 'x', exp: NOW + 60, aud: AUD },
    };
    store.set(key, JSON.stringify(planted), 60_000);
    expect(() => opaque.verify('t')).toThrow(expect.objectContaining({ reason: 'token_inactive' }));
  });

  it('reuses the principal only while the store holds the very same entry', async () => {
    const store = new MemoryStore();
    const { opaque } = build(new ScriptedIntrospector(() => active()), { store });
    await opaque.verify('t');
    const stored = opaque.verify('t');
    expect(opaque.verify('t')).toBe(stored);
    expect(opaque.verify('t')).toBe(stored);
    // Another replica wrote a newer answer: judged afresh.
    store.set(`introspection:${hash('sha256', 't', 'base64url')}`, '{"issuer":null}', 60_000);
    expect(() => opaque.verify('t')).toThrow(expect.objectContaining({ reason: 'token_inactive' }));
  });

  describe('property: an answer is accepted exactly when active is true and every claim rule holds', () => {
    const date = fc.constantFrom(
      NOW,
      NOW - TOLERANCE - 1,
      NOW - TOLERANCE + 1,
      NOW + TOLERANCE - 1,
      NOW + TOLERANCE + 1,
      NOW + 600,
      NOW - 600,
    );
    const member = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const answer = fc.record({
      active: fc.oneof(
        fc.constant(true),
        fc.constant(false),
        fc.constantFrom('true', 1, null, undefined, {}),
      ),
      iss: member(fc.constantFrom(ISS, 'https://other.example', `${ISS}/`)),
      aud: member(fc.constantFrom(AUD, 'api://other', [AUD, 'api://other'], ['api://other'])),
      sub: member(fc.constantFrom('user-1', '')),
      client_id: member(fc.constantFrom('client-1')),
      exp: member(date),
      nbf: member(date),
      token_type: member(
        fc.constantFrom('Bearer', 'DPoP', 'refresh_token', 'id_token', 'access_token'),
      ),
      scope: member(fc.constantFrom('notes:read', 'a b')),
    });

    // jose's claim-set rules (iss, aud, exp, nbf and the tolerance) plus RFC 7662's own:
    // `active` is the boolean true, a token type (when told) is an access token, and a subject
    // (or, for client credentials, a client) is named.
    function oracle(members: Record<string, unknown>): boolean {
      if (members.active !== true) return false;
      const type = members.token_type;
      if (
        type !== undefined &&
        !['bearer', 'dpop', 'access_token'].includes(String(type).toLowerCase())
      )
        return false;
      const subject = members.sub ?? members.client_id;
      if (typeof subject !== 'string' || subject === '') return false;
      const claims = Object.fromEntries(Object.entries(members).filter(([, v]) => v !== undefined));
      try {
        UnsecuredJWT.decode(new UnsecuredJWT(claims).encode(), {
          issuer: claims.iss === undefined ? undefined : ISS,
          audience: AUD,
          clockTolerance: TOLERANCE,
          currentDate: new Date(NOW * 1000),
          requiredClaims: ['exp'],
        });
        return true;
      } catch {
        return false;
      }
    }

    it('holds', async () => {
      await fc.assert(
        fc.asyncProperty(answer, async (members) => {
          const claims = Object.fromEntries(
            Object.entries(members).filter(([k, v]) => k !== 'active' && v !== undefined),
          );
          const introspector = new ScriptedIntrospector(() =>
            Promise.resolve(
              (members.active === true
                ? { active: true, claims }
                : { active: members.active, claims }) as IntrospectionResult,
            ),
          );
          const { opaque } = build(introspector);
          const result = await outcome(() => opaque.verify('t'));
          const accepted = !(result instanceof Error);
          if (!accepted) expect(result).toBeInstanceOf(InvalidTokenError);
          expect(accepted).toBe(oracle(members));
        }),
        { numRuns: 200 },
      );
    });
  });
});
