import { jest } from '@jest/globals';
import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';
import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import { RevokedConnections } from '../../../../lib/nest/authentication/revoked-connections.js';

const ISS = 'https://idp.example';
const turn = () => new Promise((resolve) => setImmediate(resolve));

function principal(sub: string, sid?: string): OidcPrincipal {
  return {
    issuer: ISS,
    subject: sub,
    clientId: undefined,
    claims: { iat: 50, sid },
  } as unknown as OidcPrincipal;
}

describe('RevokedConnections', () => {
  const list = () =>
    new RevocationList({ maxTokenLifetimeSeconds: 60, clockToleranceSeconds: 0, maxEntries: 10 });

  it('ends the revoked connections once per burst of revocations, with the cause, and no other', async () => {
    const revocations = list();
    const connections = new RevokedConnections(revocations);
    const ended: string[] = [];
    connections.watch(principal('bob', 's1'), (reason) => ended.push(`bob ${reason}`));
    connections.watch(principal('alice', 's2'), (reason) => ended.push(`alice ${reason}`));
    revocations.revoke(
      { scope: 'session', issuer: ISS, value: 's1' },
      100,
      'iat',
      'session-revoked',
    );
    revocations.revoke(
      { scope: 'session', issuer: ISS, value: 's1' },
      101,
      'iat',
      'session-revoked',
    );
    expect(ended).toEqual([]);
    await turn();
    expect(ended).toEqual(['bob The token was revoked (session-revoked)']);
    revocations.revoke(
      { scope: 'subject', issuer: ISS, value: 'bob' },
      100,
      'iat',
      'subject-revoked',
    );
    await turn();
    expect(ended).toHaveLength(1);
  });

  it('forgets a connection that closed', async () => {
    const revocations = list();
    const connections = new RevokedConnections(revocations);
    const end = jest.fn();
    connections.watch(principal('bob'), end)();
    revocations.disable({ scope: 'subject', issuer: ISS, value: 'bob' }, 100, 'account-disabled');
    await turn();
    expect(end).not.toHaveBeenCalled();
  });
});
