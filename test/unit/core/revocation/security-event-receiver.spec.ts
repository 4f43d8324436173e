import fc from 'fast-check';
import { SecurityEventError } from '../../../../lib/protocol/errors/errors.js';
import { MemoryStore } from '../../../../lib/core/store/memory-store.js';
import type { OidcStore } from '../../../../lib/core/store/store.js';
import { RevocationList } from '../../../../lib/core/revocation/revocation-list.js';
import { SharedRevocations } from '../../../../lib/core/revocation/shared-revocations.js';
import { SecurityEventReceiver } from '../../../../lib/core/revocation/security-event-receiver.js';
import { SecurityEventTokenVerifier } from '../../../../lib/core/revocation/security-event-token.js';
import {
  ACCOUNT_DISABLED,
  ACCOUNT_ENABLED,
  signSet,
  TOKEN_ISSUER,
  unitTransmitter,
} from '../../../support/security-events.js';

const NOW = Math.floor(Date.now() / 1000);

function receiverWith(store: OidcStore = new MemoryStore()) {
  const list = new RevocationList({
    maxTokenLifetimeSeconds: 3600,
    clockToleranceSeconds: 60,
    maxEntries: 100,
  });
  const verifier = new SecurityEventTokenVerifier({
    transmitters: [unitTransmitter()],
    clockToleranceSeconds: 60,
    maxAgeSeconds: 3600,
  });
  const receiver = new SecurityEventReceiver({
    verifier,
    revocations: SharedRevocations.local(list),
    store,
    replayWindowSeconds: 3660,
    compareAuthTime: true,
  });
  return { receiver, list };
}

const old = { iat: NOW - 100 };

describe('SecurityEventReceiver', () => {
  it('applies a session-revoked of bob: his older tokens are refused, others not', async () => {
    const { receiver, list } = receiverWith();
    const receipt = await receiver.receive(await signSet({}));
    expect(receipt).toMatchObject({ outcome: 'applied', issuer: 'https://ssf.idp.example' });
    expect(list.refusalOf(TOKEN_ISSUER, 'bob', undefined, old)?.cause).toBe('session-revoked');
    expect(list.refusalOf(TOKEN_ISSUER, 'alice', undefined, old)).toBeUndefined();
  });

  it('applies a SET once: the same jti again is a duplicate that changes nothing', async () => {
    const { receiver, list } = receiverWith();
    const disabled = await signSet({ jti: 'one', events: { [ACCOUNT_DISABLED]: {} } });
    await receiver.receive(disabled);
    await receiver.receive(await signSet({ events: { [ACCOUNT_ENABLED]: {} } }));
    expect(await receiver.receive(disabled)).toMatchObject({ outcome: 'duplicate', changes: [] });
    expect(list.refusalOf(TOKEN_ISSUER, 'bob', undefined, { iat: NOW + 30 })).toBeUndefined();
  });

  it('acknowledges an event type it does not act on without changing the list', async () => {
    const { receiver, list } = receiverWith();
    const type = 'https://schemas.openid.net/secevent/caep/event-type/device-compliance-change';
    expect(await receiver.receive(await signSet({ events: { [type]: {} } }))).toMatchObject({
      outcome: 'ignored',
      type,
    });
    expect(list.size).toBe(0);
  });

  it('changes nothing and claims no jti for a SET refused in its event', async () => {
    const store = new MemoryStore();
    const { receiver, list } = receiverWith(store);
    const bad = await signSet({ jti: 'bad', sub_id: { format: 'iss_sub', iss: TOKEN_ISSUER } });
    await expect(receiver.receive(bad)).rejects.toBeInstanceOf(SecurityEventError);
    expect(list.size).toBe(0);
    expect(store.get('secevent:["https://ssf.idp.example","bad"]')).toBeUndefined();
  });

  it('changes nothing when the store cannot claim the jti, so a retry applies it', async () => {
    const failing: OidcStore = {
      setIfAbsent: () => Promise.reject(new Error('store down')),
      get: () => undefined,
      set: () => undefined,
    };
    const { receiver, list } = receiverWith(failing);
    await expect(receiver.receive(await signSet({}))).rejects.toThrow('store down');
    expect(list.size).toBe(0);
  });

  it('refuses every mutation of a valid SET with an RFC 8935 code and changes nothing (property)', async () => {
    const valid = await signSet({ jti: 'valid' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    const edit = fc.oneof(
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...alphabet))
        .map(([at, by]) => valid.slice(0, at) + by + valid.slice(at + 1)),
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 16 }))
        .map(([at, count]) => valid.slice(0, at) + valid.slice(at + count)),
      fc
        .tuple(
          fc.nat({ max: valid.length }),
          fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 16 }),
        )
        .map(([at, text]) => valid.slice(0, at) + text + valid.slice(at)),
    );
    const store = new MemoryStore();
    const { receiver, list } = receiverWith(store);
    await fc.assert(
      fc.asyncProperty(edit, async (mutated) => {
        fc.pre(mutated !== valid);
        await expect(receiver.receive(mutated)).rejects.toBeInstanceOf(SecurityEventError);
        expect(list.size).toBe(0);
      }),
      { seed: 20_261_206, numRuns: 500 },
    );
    // No mutation claimed the jti: the valid SET is still new, and applied.
    expect((await receiver.receive(valid)).outcome).toBe('applied');
    expect(list.size).toBe(1);
  });
});
