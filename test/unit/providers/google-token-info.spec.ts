import fc from 'fast-check';
import { OidcAuthError } from '../../../lib/protocol/errors/errors.js';
import { google } from '../../../lib/providers/google.js';
import {
  GOOGLE_TOKEN_INFO_ENDPOINT,
  googleTokenInfoResult,
} from '../../../lib/providers/google-token-info.js';
import type { JwtClaims } from '../../../lib/core/claims/claims.js';
import { createVerifier } from '../../../lib/core/jwt/create-verifier.js';
import { MemoryStore } from '../../../lib/core/store/memory-store.js';
import { OpaqueTokenVerifier } from '../../../lib/core/opaque/opaque-token-verifier.js';
import { checkIntrospectedClaims } from '../../../lib/core/opaque/introspection-claims.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { TokenInfoIntrospector } from '../../../lib/core/opaque/token-info-introspector.js';
import { TrustedIssuer } from '../../../lib/core/issuers/trusted-issuer.js';

const WEB_CLIENT = '1234987819200-5jq3v8l0b4n2m6k1h9g7f5d3s1a0p8o6.apps.googleusercontent.com';
const NOW = 1_750_000_000;

/** What token-info answers for a user's access token, as Google documents it: numbers as strings. */
const userAnswer = {
  azp: WEB_CLIENT,
  aud: WEB_CLIENT,
  sub: '110169484474386276334',
  scope: 'https://www.googleapis.com/auth/userinfo.email openid',
  exp: String(NOW + 3599),
  expires_in: '3599',
  email: 'alice@example.com',
  email_verified: 'true',
  access_type: 'online',
};

/** A service account's access token: no `sub`, the account's unique id as `azp` and `aud`. */
const serviceAccountAnswer = {
  azp: '113774264463038321964',
  aud: '113774264463038321964',
  scope: 'https://www.googleapis.com/auth/cloud-platform',
  exp: String(NOW + 1800),
  expires_in: '1800',
  email: 'notes-caller@my-project.iam.gserviceaccount.com',
  email_verified: 'true',
  access_type: 'online',
};

describe('googleTokenInfoResult', () => {
  it("reads a user's answer as an RFC 7662 one: numbers, booleans, client_id, issuer", () => {
    expect(googleTokenInfoResult(userAnswer)).toEqual({
      active: true,
      claims: {
        iss: 'https://accounts.google.com',
        azp: WEB_CLIENT,
        client_id: WEB_CLIENT,
        aud: WEB_CLIENT,
        sub: '110169484474386276334',
        scope: 'https://www.googleapis.com/auth/userinfo.email openid',
        exp: NOW + 3599,
        email: 'alice@example.com',
        email_verified: true,
        access_type: 'online',
        token_type: 'Bearer',
      },
    });
  });

  it('leaves out expires_in, which is wrong as soon as the answer is reused', () => {
    const result = googleTokenInfoResult(userAnswer);
    expect(result.active && 'expires_in' in result.claims).toBe(false);
  });

  it('accepts exp written as a number as well', () => {
    const result = googleTokenInfoResult({ ...userAnswer, exp: NOW + 10 });
    expect(result.active && result.claims.exp).toBe(NOW + 10);
  });

  it("is inactive for Google's invalid_token answer (expired, revoked, made up)", () => {
    expect(
      googleTokenInfoResult({ error: 'invalid_token', error_description: 'Invalid Value' }),
    ).toEqual({ active: false });
  });

  it('throws for any other error, which says nothing about the token', () => {
    expect(() => googleTokenInfoResult({ error: 'invalid_request' })).toThrow(/invalid_request/);
    expect(() => googleTokenInfoResult({ error: { code: 500 } })).toThrow(/error/);
  });

  it('throws for an answer without an audience or a whole-seconds exp', () => {
    const { aud: _aud, ...noAudience } = userAnswer;
    expect(() => googleTokenInfoResult(noAudience)).toThrow(/aud/);
    expect(() => googleTokenInfoResult({ ...userAnswer, aud: '' })).toThrow(/aud/);
    expect(() => googleTokenInfoResult({ ...userAnswer, aud: [WEB_CLIENT] })).toThrow(/aud/);
    for (const exp of [undefined, '', '1e9', '-1', '12.5', ' 1750000000', '1234567890123', 1.5, -3])
      expect(() => googleTokenInfoResult({ ...userAnswer, exp })).toThrow(/exp/);
  });

  it('answers any JSON object with a verdict or a reason, and never activates without aud and exp', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('invalid_token', 'true', 'false', String(NOW), WEB_CLIENT),
      fc.integer(),
    );
    const answer = fc.dictionary(
      fc.constantFrom('aud', 'azp', 'sub', 'exp', 'error', 'email_verified', 'scope', 'iss'),
      value,
    );
    fc.assert(
      fc.property(answer, (body) => {
        let result;
        try {
          result = googleTokenInfoResult(body);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          return;
        }
        if (!result.active) {
          expect(body.error).toBe('invalid_token');
          return;
        }
        expect(body.error).toBeUndefined();
        expect(typeof body.aud === 'string' && body.aud !== '').toBe(true);
        expect(Number.isSafeInteger(result.claims.exp)).toBe(true);
        expect(result.claims.exp).toBe(Number(body.exp));
        expect(result.claims.iss).toBe('https://accounts.google.com');
      }),
    );
  });
});

describe('google({ accessTokens })', () => {
  it('is off by default: no introspection, ID tokens only', () => {
    expect(google({ audience: WEB_CLIENT }).introspection).toBeUndefined();
  });

  it("asks Google's token-info endpoint, for ya29. tokens only", () => {
    const { introspection } = google({ audience: WEB_CLIENT, accessTokens: true });
    expect(introspection?.tokenPrefixes).toEqual(['ya29.']);
    expect(introspection?.introspector).toBeInstanceOf(TokenInfoIntrospector);
    expect(introspection?.maxAgeMs).toBeUndefined();
    expect(GOOGLE_TOKEN_INFO_ENDPOINT).toBe('https://oauth2.googleapis.com/tokeninfo');
  });

  it('passes the cache age through to the core, and checks the rest at startup', () => {
    expect(
      google({ audience: WEB_CLIENT, accessTokens: { maxAgeMs: 5000 } }).introspection?.maxAgeMs,
    ).toBe(5000);
    expect(() =>
      google({ audience: WEB_CLIENT, accessTokens: { tokenInfoEndpoint: 'tokeninfo' } }),
    ).toThrow('OidcAuthModule: google: accessTokens.tokenInfoEndpoint must be an absolute URL');
    for (const timeoutMs of [0, -1, Number.NaN, Infinity])
      expect(() => google({ audience: WEB_CLIENT, accessTokens: { timeoutMs } })).toThrow(
        /accessTokens.timeoutMs must be a positive number/,
      );
  });

  describe("with the core's checks of an introspected answer", () => {
    const issuer = new TrustedIssuer(
      google({ audience: WEB_CLIENT, accessTokens: true }),
      'issuers[0]',
    );
    const judge = (answer: JwtClaims, trusted = issuer): OidcPrincipal | string => {
      const result = googleTokenInfoResult(answer);
      if (!result.active) return 'inactive';
      try {
        return checkIntrospectedClaims(result.claims, trusted, {
          nowSeconds: NOW,
          toleranceSeconds: 60,
        });
      } catch (err) {
        if (err instanceof OidcAuthError) return err.reason;
        throw err;
      }
    };

    it("makes a user's principal with the granted scopes and the OAuth client", () => {
      const principal = judge(userAnswer) as OidcPrincipal;
      expect(principal).toMatchObject({
        subject: '110169484474386276334',
        issuer: 'https://accounts.google.com',
        clientId: WEB_CLIENT,
        isAppOnly: false,
      });
      expect(principal.hasScope('openid')).toBe(true);
      expect(principal.hasScope('https://www.googleapis.com/auth/userinfo.email')).toBe(true);
      expect(principal.expiresAt.getTime()).toBe((NOW + 3599) * 1000);
    });

    it('refuses a token Google issued to another OAuth client (token substitution)', () => {
      expect(judge({ ...userAnswer, aud: 'another-app.apps.googleusercontent.com' })).toBe(
        'audience_mismatch',
      );
    });

    it('refuses an expired answer, whatever Google said', () => {
      expect(judge({ ...userAnswer, exp: String(NOW - 61) })).toBe('token_expired');
    });

    it("makes a service account's token app-only, the account as subject", () => {
      const trusted = new TrustedIssuer(
        google({ audience: serviceAccountAnswer.aud, accessTokens: true }),
        'issuers[0]',
      );
      const principal = judge(serviceAccountAnswer, trusted) as OidcPrincipal;
      expect(principal.isAppOnly).toBe(true);
      expect(principal.subject).toBe(serviceAccountAnswer.azp);
      expect(principal.hasScope('https://www.googleapis.com/auth/cloud-platform')).toBe(true);
    });

    it('applies hostedDomains to access tokens too: without hd, refused', () => {
      const workspace = new TrustedIssuer(
        google({ audience: WEB_CLIENT, hostedDomains: ['example.com'], accessTokens: true }),
        'issuers[0]',
      );
      expect(judge(userAnswer, workspace)).toBe('claim_invalid');
      expect(
        (judge({ ...userAnswer, hd: 'example.com' }, workspace) as OidcPrincipal).subject,
      ).toBe(userAnswer.sub);
    });
  });
});

describe('which tokens go to token-info', () => {
  const verifier = createVerifier({
    issuers: [google({ audience: WEB_CLIENT, accessTokens: true })],
  });
  const opaque = new OpaqueTokenVerifier({
    verifier,
    store: new MemoryStore(),
    clockToleranceSeconds: 60,
    discoveryFetch: { timeoutMs: 1000, maxBytes: 1024 },
  });

  it.each([
    ['ya29.a0AfH6SMBx', true],
    // A service account's token from the metadata server: three parts, yet no JWS.
    ['ya29.c.c0ASRK0GaExample', true],
    ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', false],
    ['a.b.c', false],
  ])('%s: %s', (token, introspected) => {
    expect(opaque.handles(token)).toBe(introspected);
  });

  it('refuses an opaque token of another form without asking Google', () => {
    expect(() => opaque.verify('ory_at_abc')).toThrow(
      'No trusted issuer introspects tokens of this form',
    );
  });
});
