import { google, googleClaims } from '../../../lib/providers/google.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { judge } from './judge.js';

const WEB_CLIENT = '1234987819200-5jq3v8l0b4n2m6k1h9g7f5d3s1a0p8o6.apps.googleusercontent.com';
const NOW = 1_750_000_000;

/** A Sign-In with Google ID token of a Workspace user. */
const userIdToken = {
  iss: 'https://accounts.google.com',
  azp: WEB_CLIENT,
  aud: WEB_CLIENT,
  sub: '110169484474386276334',
  hd: 'example.com',
  email: 'alice@example.com',
  email_verified: true,
  at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
  nbf: NOW - 30,
  name: 'Alice Liddell',
  picture: 'https://lh3.googleusercontent.com/a/ACg8ocJ-example=s96-c',
  given_name: 'Alice',
  family_name: 'Liddell',
  iat: NOW,
  exp: NOW + 3600,
  jti: '0e1c2f3a4b5d6e7f8091a2b3c4d5e6f7a8b9c0d1',
};

/**
 * A service account's ID token from the metadata server (format=full) for a Cloud Run audience:
 * azp and sub are the service account's unique id.
 */
const serviceAccountIdToken = {
  aud: 'https://notes-abc123-ew.a.run.app',
  azp: '113774264463038321964',
  email: 'notes-caller@my-project.iam.gserviceaccount.com',
  email_verified: true,
  exp: NOW + 3600,
  iat: NOW,
  iss: 'https://accounts.google.com',
  sub: '113774264463038321964',
};

describe('googleClaims', () => {
  it('gives a user ID token no scopes or roles, the OAuth client as its client', () => {
    expect(googleClaims(userIdToken)).toEqual({
      scopes: [],
      roles: [],
      clientId: WEB_CLIENT,
      isAppOnly: false,
    });
  });

  it('marks a service account’s ID token app-only', () => {
    expect(googleClaims(serviceAccountIdToken)).toEqual({
      scopes: [],
      roles: [],
      clientId: '113774264463038321964',
      isAppOnly: true,
    });
    expect(
      googleClaims({
        ...serviceAccountIdToken,
        email: '123456789012-compute@developer.gserviceaccount.com',
      }).isAppOnly,
    ).toBe(true);
  });
});

describe('google preset', () => {
  it('trusts accounts.google.com for the given audience, with no domain rule by default', () => {
    const preset = google({ audience: WEB_CLIENT });
    expect(preset).toMatchObject({
      issuer: 'https://accounts.google.com',
      audience: WEB_CLIENT,
      claimMapper: googleClaims,
    });
    expect(preset.validateClaims).toBeUndefined();
  });

  it('restricts Workspace domains with hostedDomains', () => {
    const preset = google({ audience: WEB_CLIENT, hostedDomains: ['example.com', 'example.org'] });
    expect(preset.validateClaims!(userIdToken)).toBeUndefined();
    expect(preset.validateClaims!({ ...userIdToken, hd: 'example.org' })).toBeUndefined();
    expect(preset.validateClaims!({ ...userIdToken, hd: 'evil.example' })).toBe(
      'The token is not from an allowed Google Workspace domain',
    );
    // A consumer (gmail.com) account has no hd at all.
    const { hd: _hd, ...consumer } = userIdToken;
    expect(preset.validateClaims!({ ...consumer, email: 'alice@gmail.com' })).toBe(
      'The token is not from an allowed Google Workspace domain',
    );
    // The email domain is not the hosted domain.
    expect(preset.validateClaims!({ ...consumer, email: 'alice@example.com' })).toMatch(/domain/);
  });

  it('trusts the bare accounts.google.com as an alias, and reads keys through discovery by default', () => {
    const preset = google({ audience: WEB_CLIENT });
    expect(preset.issuerAliases).toEqual(['accounts.google.com']);
    expect(preset.discoveryUri).toBeUndefined();
    expect(preset.jwksUri).toBeUndefined();
  });

  it('passes a discovery or key-set address override through', () => {
    expect(
      google({ audience: WEB_CLIENT, discoveryUri: 'http://127.0.0.1:8080/google/openid' }),
    ).toMatchObject({
      issuer: 'https://accounts.google.com',
      discoveryUri: 'http://127.0.0.1:8080/google/openid',
    });
    expect(google({ audience: WEB_CLIENT, jwksUri: 'http://127.0.0.1:8080/certs' }).jwksUri).toBe(
      'http://127.0.0.1:8080/certs',
    );
  });

  describe('with the verifier’s claim rules', () => {
    it('accepts both documented iss forms, and no other', () => {
      const check = judge(google({ audience: WEB_CLIENT }), NOW);
      const bare = check({ ...userIdToken, iss: 'accounts.google.com' }) as OidcPrincipal;
      expect(bare.subject).toBe(userIdToken.sub);
      // One user, one issuer: the principal names the entry's issuer; the claims keep the token's.
      expect(bare.issuer).toBe('https://accounts.google.com');
      expect(bare.claims.iss).toBe('accounts.google.com');
      expect((check(userIdToken) as OidcPrincipal).issuer).toBe('https://accounts.google.com');
      for (const iss of ['http://accounts.google.com', 'accounts.google.com/', 'google.com']) {
        expect(check({ ...userIdToken, iss })).toBe('unknown_issuer');
      }
    });

    it('accepts a Workspace user for the web client when the domain is allowed', () => {
      const check = judge(google({ audience: WEB_CLIENT, hostedDomains: ['example.com'] }), NOW);
      expect((check(userIdToken) as OidcPrincipal).subject).toBe(userIdToken.sub);
      expect(check({ ...userIdToken, hd: 'other.example' })).toBe('claim_invalid');
    });

    it('accepts a service account calling the Cloud Run URL it asked a token for', () => {
      const check = judge(google({ audience: 'https://notes-abc123-ew.a.run.app' }), NOW);
      expect((check(serviceAccountIdToken) as OidcPrincipal).isAppOnly).toBe(true);
      expect(check({ ...serviceAccountIdToken, aud: 'https://other-service.a.run.app' })).toBe(
        'audience_mismatch',
      );
    });
  });
});

describe('Google service accounts without an email claim', () => {
  it('are app-only when azp names the account itself, as sub does', () => {
    const serviceAccount = {
      iss: 'https://accounts.google.com',
      sub: '1234567890',
      azp: '1234567890',
    };
    expect(googleClaims(serviceAccount).isAppOnly).toBe(true);
    expect(
      googleClaims({ ...serviceAccount, azp: '99.apps.googleusercontent.com' }).isAppOnly,
    ).toBe(false);
  });
});
