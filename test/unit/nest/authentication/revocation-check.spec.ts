import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';
import type { TokenVerifier } from '../../../../lib/core/jwt/token-verifier.js';
import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import { recheckConnectionTrust } from '../../../../lib/nest/authentication/connection-trust.js';
import { OidcAuthenticator } from '../../../../lib/nest/authentication/oidc-authenticator.js';
import { OidcAuthEvents } from '../../../../lib/nest/observability/oidc-auth.events.js';
import { refuseRevoked } from '../../../../lib/nest/authentication/revocation-check.js';
import {
  InvalidTokenError,
  RevocationsUnavailableError,
  TokenRevokedError,
} from '../../../../lib/protocol/errors/errors.js';
import { thrown } from '../../../support/thrown.js';

const ISS = 'https://idp.example';
const T = Math.floor(Date.now() / 1000);

function principal(
  claims: Record<string, unknown>,
  clientId?: string,
  clientCapabilities?: readonly string[],
) {
  return new OidcPrincipal(
    'bob',
    ISS,
    ['api'],
    new Date((T + 300) * 1000),
    { scopes: [], roles: [], clientId, isAppOnly: false, clientCapabilities },
    { iss: ISS, sub: 'bob', ...claims },
  );
}

function list() {
  return new RevocationList({
    maxTokenLifetimeSeconds: 3600,
    clockToleranceSeconds: 60,
    maxEntries: 10,
  });
}

describe('refuseRevoked', () => {
  it('answers 503 for a token a stale list does not refuse, and still refuses what it holds', () => {
    const revocations = list();
    revocations.revoke(
      { scope: 'subject', issuer: ISS, value: 'bob' },
      T,
      'iat',
      'subject-revoked',
    );
    revocations.stale = { retryAfterSeconds: 5 };
    expect(() => refuseRevoked(revocations, principal({ iat: T - 1 }))).toThrow(TokenRevokedError);
    expect(
      thrown(RevocationsUnavailableError, () =>
        refuseRevoked(revocations, principal({ iat: T + 1 })),
      ),
    ).toMatchObject({ reason: 'revocations_unavailable', retryAfterSeconds: 5 });
  });

  it('lets every token through without a list, or with an empty one', () => {
    expect(() => refuseRevoked(null, principal({ iat: T }))).not.toThrow();
    expect(() => refuseRevoked(list(), principal({ iat: T }))).not.toThrow();
  });

  it('refuses a revoked token as invalid_token token_revoked, naming the event and not the subject', () => {
    const revocations = list();
    revocations.revoke({ scope: 'client', issuer: ISS, value: 'app' }, T, 'iat', 'client-revoked');
    let thrown: unknown;
    try {
      refuseRevoked(revocations, principal({ iat: T - 1 }, 'app'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidTokenError);
    expect(thrown).toMatchObject({
      reason: 'token_revoked',
      message: 'The token was revoked (client-revoked)',
      issuer: ISS,
    });
    expect((thrown as Error).message).not.toContain('bob');
    expect(() => refuseRevoked(revocations, principal({ iat: T - 1 }, 'other'))).not.toThrow();
  });
});

describe('refuseRevoked: what the refusal tells the client', () => {
  it('carries the revocation time and the level an assurance-level-change gave', () => {
    const revocations = list();
    const target = { scope: 'subject' as const, issuer: ISS, value: 'bob' };
    revocations.revoke(target, T, 'iat', 'assurance-level-change', { level: 'aal1' });
    const err = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1 })),
    );
    expect(err).toMatchObject({
      event: 'assurance-level-change',
      revokedAt: T,
      details: { currentLevel: 'aal1', claimsChallenge: false },
    });
  });

  it('asks for a claims challenge when the client declared cp1, as the mapper read it', () => {
    const revocations = list();
    revocations.revoke({ scope: 'subject', issuer: ISS, value: 'bob' }, T, 'iat', 'x');
    const cp1 = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1 }, undefined, ['cp1'])),
    );
    expect(cp1.details.claimsChallenge).toBe(true);
    const other = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1 }, undefined, ['cp2'])),
    );
    expect(other.details.claimsChallenge).toBe(false);
    // The claim alone, unmapped, is no declaration: only the issuer's mapper reads xms_cc.
    const unmapped = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1, xms_cc: ['cp1'] })),
    );
    expect(unmapped.details.claimsChallenge).toBe(false);
  });

  it('reports the lag from the event to the first token it refuses, and only for that one', () => {
    const revocations = list();
    const target = { scope: 'subject' as const, issuer: ISS, value: 'bob' };
    revocations.revoke(target, T, 'iat', 'session-revoked', { issuedAt: T - 2 });
    const now = (T + 1.5) * 1000;
    const first = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1 }), now),
    );
    expect(first.details.lagSeconds).toBeCloseTo(3.5);
    const second = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1 }), now),
    );
    expect(second.details.lagSeconds).toBeUndefined();
    // A later revocation of the same user is a new event: its first refusal is measured again.
    revocations.revoke(target, T + 5, 'iat', 'session-revoked', { issuedAt: T + 1 });
    const again = thrown(TokenRevokedError, () =>
      refuseRevoked(revocations, principal({ iat: T - 1 }), now),
    );
    expect(again.details.lagSeconds).toBeCloseTo(0.5);
  });
});

describe('recheckConnectionTrust with revocations', () => {
  const verifier = { recheckIssuer: () => undefined } as unknown as TokenVerifier;

  it('ends the connection of a token revoked since its handshake, at its next message', () => {
    const revocations = list();
    const established = {
      principal: principal({ iat: T - 10, sid: 's1' }),
      token: 't',
      validUntil: Date.now() + 60_000,
    };
    const ended: string[] = [];
    expect(recheckConnectionTrust(verifier, established, (r) => ended.push(r), revocations)).toBe(
      undefined,
    );
    revocations.revoke({ scope: 'session', issuer: ISS, value: 's1' }, T, 'iat', 'session-revoked');
    expect(() =>
      recheckConnectionTrust(verifier, established, (r) => ended.push(r), revocations),
    ).toThrow(expect.objectContaining({ reason: 'token_revoked' }));
    expect(ended).toEqual(['The token was revoked (session-revoked)']);
  });
});

describe('OidcAuthenticator with revocations', () => {
  it('refuses a revoked token verified by the passport strategy too', () => {
    const revocations = list();
    const authenticator = new OidcAuthenticator(
      {} as TokenVerifier,
      new OidcAuthEvents(),
      { issuers: [] },
      undefined,
      undefined,
      undefined,
      revocations,
    );
    const bob = principal({ iat: T - 10 });
    expect(authenticator.authenticationOf('t', bob).principal).toBe(bob);
    revocations.revoke(
      { scope: 'subject', issuer: ISS, value: 'bob' },
      T,
      'iat',
      'sessions-revoked',
    );
    expect(() => authenticator.authenticationOf('t', bob)).toThrow(
      'The token was revoked (sessions-revoked)',
    );
  });
});
