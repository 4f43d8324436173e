import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import { OidcRevocations } from '../../../../lib/nest/revocation/oidc-revocations.js';

const ISS = 'https://idp.example';

describe('OidcRevocations', () => {
  it('throws rather than pretend to revoke when the revocation option is off', () => {
    const revocations = new OidcRevocations(undefined);
    expect(() => revocations.revokeSubject(ISS, 'bob')).toThrow(OidcAuthConfigError);
    expect(() => revocations.restore('subject', ISS, 'bob')).toThrow(OidcAuthConfigError);
  });

  it('refuses a token issued earlier in the very second of the revocation, and an empty target', () => {
    const list = new RevocationList({
      maxTokenLifetimeSeconds: 60,
      clockToleranceSeconds: 0,
      maxEntries: 10,
    });
    const revocations = new OidcRevocations(list);
    const at = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 400));
    revocations.revokeSession(ISS, 's1', at);
    const second = at.getTime() / 1000 - 0.4;
    expect(list.refusalOf(ISS, 'bob', undefined, { sid: 's1', iat: second })?.cause).toBe(
      'session-revoked',
    );
    expect(list.refusalOf(ISS, 'bob', undefined, { sid: 's1', iat: second + 1 })).toBeUndefined();
    expect(() => revocations.revokeClient(ISS, '')).toThrow(TypeError);
    expect(() => revocations.revokeSubject(ISS, 'bob', new Date(Number.NaN))).toThrow(TypeError);
  });
});
