import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { KeySet } from '../../lib/core/keys/key-set.js';
import type { SecurityEventTransmitter } from '../../lib/core/revocation/security-event-token.js';

/** A transmitter for unit tests: its keys in memory, its SETs signed by jose. */
export const TRANSMITTER = 'https://ssf.idp.example';
export const RECEIVER = 'https://api.example';
export const TOKEN_ISSUER = 'https://idp.example';
export const SESSION_REVOKED =
  'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const ACCOUNT_DISABLED =
  'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
export const ACCOUNT_ENABLED =
  'https://schemas.openid.net/secevent/risc/event-type/account-enabled';

export const transmitterKeys = {
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  // Same kid as rsa, another key: a forged signature.
  attacker: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

export const TRANSMITTER_JWKS = {
  keys: [
    { ...transmitterKeys.rsa.publicKey.export({ format: 'jwk' }), kid: 'r1', use: 'sig' },
    { ...transmitterKeys.ec.publicKey.export({ format: 'jwk' }), kid: 'e1', use: 'sig' },
  ],
};

export function unitTransmitter(
  overrides: Partial<SecurityEventTransmitter> = {},
): SecurityEventTransmitter {
  const keySet = new KeySet(
    TRANSMITTER,
    () =>
      Promise.resolve([
        { kid: 'r1', key: transmitterKeys.rsa.publicKey },
        { kid: 'e1', key: transmitterKeys.ec.publicKey },
      ]),
    { cooldownMs: 0, maxAgeMs: 60_000, maxWaitMs: 1_000 },
  );
  return {
    issuer: TRANSMITTER,
    audiences: [RECEIVER],
    keySet,
    algorithms: new Set(['RS256', 'ES256']),
    tokenIssuers: [TOKEN_ISSUER],
    ...overrides,
  };
}

export interface SetOptions {
  header?: Record<string, unknown>;
  key?: KeyObject;
  /** Seconds since the epoch. */
  iat?: number;
}

/** A SET of one event, by jose; `claims` replaces or (`undefined`) removes members. */
export async function signSet(
  claims: Record<string, unknown>,
  options: SetOptions = {},
): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: TRANSMITTER,
    aud: RECEIVER,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: `set-${Math.random().toString(36).slice(2)}`,
    sub_id: { format: 'iss_sub', iss: TOKEN_ISSUER, sub: 'bob' },
    events: { [SESSION_REVOKED]: {} },
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) delete payload[name];
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: 'r1', typ: 'secevent+jwt', ...options.header })
    .sign(options.key ?? transmitterKeys.rsa.privateKey);
}
