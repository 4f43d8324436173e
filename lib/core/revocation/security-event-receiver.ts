import type { OidcStore } from '../store/store.js';
import type { RevocationList } from './revocation-list.js';
import {
  SecurityEventTokenVerifier,
  type SecurityEventTransmitter,
} from './security-event-token.js';
import { applyChanges, changesOf, type RevocationChange } from './security-events.js';

export interface SecurityEventReceiverOptions {
  verifier: SecurityEventTokenVerifier;
  list: RevocationList;
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
  changes: readonly RevocationChange[];
}

/**
 * A SET in, the revocation list changed: verified in full, its event turned into changes in full,
 * its `jti` claimed in the store, and only then applied. A SET refused at any step (a
 * `SecurityEventError`) changes nothing; a store that cannot answer rejects before anything is
 * applied, so the transmitter's retry finds the SET new.
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
    const receipt = { issuer, jti: event.jti, type: event.type };
    const fresh = await this.options.store.setIfAbsent(
      `secevent:${JSON.stringify([issuer, event.jti])}`,
      '1',
      this.options.replayWindowSeconds * 1000,
    );
    if (!fresh) return { ...receipt, outcome: 'duplicate', changes: [] };
    if (!changes) return { ...receipt, outcome: 'ignored', changes: [] };
    applyChanges(this.options.list, changes);
    return { ...receipt, outcome: 'applied', changes };
  }
}
