import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import { SharedRevocations } from '../../../../lib/core/revocation/shared-revocations.js';
import { OidcRevocations } from '../../../../lib/nest/revocation/oidc-revocations.js';

const ISS = 'https://idp.example';

function listOf(): RevocationList {
  return new RevocationList({
    maxTokenLifetimeSeconds: 60,
    clockToleranceSeconds: 0,
    maxEntries: 10,
  });
}

describe('OidcRevocations', () => {
  it('throws rather than pretend to revoke when the revocation option is off', async () => {
    const revocations = new OidcRevocations(undefined);
    await expect(revocations.revokeSubject(ISS, 'bob')).rejects.toThrow(OidcAuthConfigError);
    await expect(revocations.restore('subject', ISS, 'bob')).rejects.toThrow(OidcAuthConfigError);
  });

  it('refuses a token issued earlier in the very second of the revocation, and an empty target', async () => {
    const list = listOf();
    const revocations = new OidcRevocations(SharedRevocations.local(list));
    const at = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 400));
    await revocations.revokeSession(ISS, 's1', at);
    const second = at.getTime() / 1000 - 0.4;
    expect(list.refusalOf(ISS, 'bob', undefined, { sid: 's1', iat: second })?.cause).toBe(
      'session-revoked',
    );
    expect(list.refusalOf(ISS, 'bob', undefined, { sid: 's1', iat: second + 1 })).toBeUndefined();
    await expect(revocations.revokeClient(ISS, '')).rejects.toThrow(TypeError);
    await expect(revocations.revokeSubject(ISS, 'bob', new Date(Number.NaN))).rejects.toThrow(
      TypeError,
    );
  });

  it('restores what it revoked, and says whether there was anything to restore', async () => {
    const list = listOf();
    const revocations = new OidcRevocations(SharedRevocations.local(list));
    await revocations.revokeSubject(ISS, 'bob');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: 0 })?.cause).toBe('subject-revoked');
    expect(await revocations.restore('subject', ISS, 'bob')).toBe(true);
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: 0 })).toBeUndefined();
    expect(await revocations.restore('subject', ISS, 'bob')).toBe(false);
  });
});
