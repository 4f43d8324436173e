import { jest } from '@jest/globals';
import { IntrospectionUnavailableError } from '../../../lib/protocol/errors/errors.js';
import { GOOGLE_ISSUER, googleTokenInfoResult } from '../../../lib/providers/google-token-info.js';
import { TokenInfoIntrospector } from '../../../lib/core/opaque/token-info-introspector.js';
import { freePort } from '../../support/free-port.js';
import { FakeGoogleTokenInfo, WEB_CLIENT } from '../../support/google-token-info.js';
import { suiteFixture } from '../../support/suite-fixture.js';

jest.setTimeout(20_000);

describe("TokenInfoIntrospector against a stand-in for Google's token-info (real HTTP)", () => {
  const google = suiteFixture(
    () => FakeGoogleTokenInfo.start(),
    (g) => g.close(),
  );
  const introspector = suiteFixture(async () => {
    return new TokenInfoIntrospector({
      issuer: GOOGLE_ISSUER,
      endpoint: google.endpoint,
      read: googleTokenInfoResult,
      timeoutMs: 300,
    });
  });

  afterEach(() => {
    google.fault = 'none';
  });

  /** The outage the introspector reported, for a token it could not get a verdict on. */
  const outage = async (token: string): Promise<IntrospectionUnavailableError> => {
    const err = await introspector.introspect(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntrospectionUnavailableError);
    const unavailable = err as IntrospectionUnavailableError;
    expect(unavailable.issuer).toBe(GOOGLE_ISSUER);
    expect(unavailable.retryAfterSeconds).toBeGreaterThan(0);
    expect(unavailable.detail).not.toContain(token);
    expect(unavailable.message).not.toContain(token);
    return unavailable;
  };

  it('reads what a live token grants, with the token in a POST header, never in the URL', async () => {
    const token = google.issue({ scopes: ['openid', 'email'] });
    const result = await introspector.introspect(token);
    expect(result).toMatchObject({
      active: true,
      claims: { aud: WEB_CLIENT, client_id: WEB_CLIENT, scope: 'openid email' },
    });
    const seen = google.seen.at(-1)!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/tokeninfo');
  });

  it('is inactive for the 400 invalid_token Google answers an unknown or revoked token', async () => {
    expect(await introspector.introspect('ya29.made-up')).toEqual({ active: false });
    const token = google.issue();
    google.revoke(token);
    expect(await introspector.introspect(token)).toEqual({ active: false });
  });

  it.each([
    ['http500', /HTTP 500/],
    ['html', /HTTP 502/],
    ['huge', /exceeds 16384 bytes/],
    ['redirect', /HTTP 302/],
    ['garbled', /not JSON/],
    ['hang', /no answer within 300 ms/],
  ] as const)('reports an outage, never a verdict, while token-info is %s', async (fault, why) => {
    google.fault = fault;
    const token = google.issue();
    const started = Date.now();
    expect((await outage(token)).detail).toMatch(why);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports an outage when nothing listens at the endpoint', async () => {
    const nowhere = new TokenInfoIntrospector({
      issuer: GOOGLE_ISSUER,
      endpoint: `http://127.0.0.1:${await freePort()}/tokeninfo`,
      read: googleTokenInfoResult,
    });
    const err = await nowhere.introspect('ya29.x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntrospectionUnavailableError);
    expect((err as IntrospectionUnavailableError).detail).toMatch(/ECONNREFUSED/);
  });

  it('reports an outage for a 200 answer that is no token-info answer', async () => {
    const strict = new TokenInfoIntrospector({
      issuer: GOOGLE_ISSUER,
      endpoint: google.endpoint,
      read: () => {
        throw new Error('token-info answered no aud');
      },
    });
    const err = await strict.introspect(google.issue()).catch((e: unknown) => e);
    expect((err as IntrospectionUnavailableError).detail).toMatch(
      /HTTP 200: token-info answered no aud/,
    );
  });
});
