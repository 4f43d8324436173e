import type { OidcStore } from '../store/store.js';
import type { SharedRevocations } from './shared-revocations.js';
import {
  SecurityEventTokenVerifier,
  type SecurityEventTransmitter,
} from './security-event-token.js';
import { changesOf, type RevocationChange } from './security-events.js';

export interface SecurityEventReceiverOptions {
  verifier: SecurityEventTokenVerifier;
  /** The revocation list, of every replica when shared. */
  revocations: SharedRevocations;
  /** Remembers each SET's `jti` per transmitter, across replicas when shared. */
  store: OidcStore;
  /** How long a `jti` is remembered: the verifier's `maxAgeSeconds` plus its clock tolerance. */
  replayWindowSeconds: number;
  /** Whether `credential-change` and `credential-compromise` compare `auth_time` (default true). */
  compareAuthTime: boolean;
}

/**
 * What became of a SET that was accepted (202): `applied` to the list; `ignored`, an event type
 * this module does not act on or a subject it cannot key; `duplicate`, a `jti` seen before (a
 * transmitter's retry), applied once already.
 */
export interface SecurityEventReceipt {
  outcome: 'applied' | 'ignored' | 'duplicate';
  issuer: string;
  jti: string;
  /** The event type URI. */
  type: string;
  /** The event's members, for events the receiver answers itself (SSF verification ...). */
  payload: Readonly<Record<string, unknown>>;
  /** The event's subject, as the SET gave it. */
  subject: unknown;
  changes: readonly RevocationChange[];
}

/**
 * A SET in, the revocation list changed: verified in full, its event turned into changes in full,
 * its `jti` claimed in the store, and only then applied. A SET refused at any step (a
 * `SecurityEventError`) changes nothing; a store that cannot answer rejects, and the `jti` is
 * let go when it was claimed already, so the transmitter's retry finds the SET new.
 */
export class SecurityEventReceiver {
  constructor(private readonly options: SecurityEventReceiverOptions) {}

  get transmitters(): readonly SecurityEventTransmitter[] {
    return this.options.verifier.transmitters;
  }

  async receive(set: string, from?: SecurityEventTransmitter): Promise<SecurityEventReceipt> {
    const event = await this.options.verifier.verify(set, from);
    const changes = changesOf(event.type, event.payload, {
      subject: event.subject,
      time: event.time,
      issuedAt: event.issuedAt,
      tokenIssuers: event.transmitter.tokenIssuers,
      compareAuthTime: this.options.compareAuthTime,
    });
    const issuer = event.transmitter.issuer;
    const receipt = {
      issuer,
      jti: event.jti,
      type: event.type,
      payload: event.payload,
      subject: event.subject,
    };
    const key = `secevent:${JSON.stringify([issuer, event.jti])}`;
    const { store } = this.options;
    const fresh = await store.setIfAbsent(key, '1', this.options.replayWindowSeconds * 1000);
    if (!fresh) return { ...receipt, outcome: 'duplicate', changes: [] };
    if (!changes) return { ...receipt, outcome: 'ignored', changes: [] };
    try {
      await this.options.revocations.apply(changes);
    } catch (err) {
      // Applied here, not shared with the other replicas: the retry must not be a duplicate.
      await Promise.resolve(store.set(key, '', 1)).catch(() => undefined);
      throw err;
    }
    return { ...receipt, outcome: 'applied', changes };
  }
}
