import { callerTracker } from '../../../lib/throttler/caller-tracker.js';
import { OidcPrincipal } from '../../../lib/core/claims/principal.js';

const principal = (
  subject: string,
  issuer: string,
  who: { clientId?: string; isAppOnly?: boolean } = {},
) =>
  new OidcPrincipal(
    subject,
    issuer,
    ['api'],
    new Date(Date.now() + 60_000),
    { scopes: [], roles: [], clientId: who.clientId, isAppOnly: who.isAppOnly ?? false },
    { sub: subject, iss: issuer },
  );

describe('callerTracker', () => {
  it('keys an app-only token by its issuer and client, whatever its subject', () => {
    expect(callerTracker(principal('svc-1', 'https://a', { clientId: 'c', isAppOnly: true }))).toBe(
      callerTracker(principal('svc-2', 'https://a', { clientId: 'c', isAppOnly: true })),
    );
  });

  it('keys a user by issuer and subject, whichever client calls for them', () => {
    expect(callerTracker(principal('alice', 'https://a', { clientId: 'web' }))).toBe(
      callerTracker(principal('alice', 'https://a', { clientId: 'mobile' })),
    );
  });

  it('keeps issuers, users and clients apart', () => {
    const keys = [
      callerTracker(principal('alice', 'https://a')),
      callerTracker(principal('alice', 'https://b')),
      callerTracker(principal('bob', 'https://a')),
      callerTracker(principal('x', 'https://a', { clientId: 'alice', isAppOnly: true })),
      // A subject and issuer that would spell the previous keys if the parts were just joined.
      callerTracker(principal('a","alice', 'https://')),
      callerTracker(principal('https://a:alice', '')),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never looks like an IP address, the key of unauthenticated calls', () => {
    expect(callerTracker(principal('127.0.0.1', ''))).not.toBe('127.0.0.1');
  });
});
