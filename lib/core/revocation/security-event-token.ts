import type { KeyObject } from 'node:crypto';
import {
  InvalidTokenError,
  KeysUnavailableError,
  SecurityEventError,
  type SecurityEventErrorCode,
} from '../../protocol/errors/errors.js';
import { type Algorithm, isAlgorithm } from '../jose/algorithms.js';
import { isSignatureValid } from '../jose/jws-signature.js';
import { decodeUnverified, type JoseHeader } from '../jose/jwt-parts.js';
import { type KeySet, usableKey } from '../keys/key-set.js';

/** A transmitter whose SETs this receiver accepts. */
export interface SecurityEventTransmitter {
  /** Its `iss`, compared exactly. */
  issuer: string;
  /** This receiver as the transmitter addresses it: a SET's `aud` must name one of these. */
  audiences: readonly string[];
  /** The transmitter's signing keys (its `jwks_uri`), with the key-set outage and rotation rules. */
  keySet: KeySet;
  /** Asymmetric algorithms its SETs may use. */
  algorithms: ReadonlySet<Algorithm>;
  /** Whose tokens its `email` and `opaque` subjects refer to: by default its own issuer. */
  tokenIssuers: readonly string[];
}

export interface SecurityEventTokenOptions {
  transmitters: readonly SecurityEventTransmitter[];
  clockToleranceSeconds: number;
  /**
   * The oldest `iat` accepted, in seconds before now: the `jti` of every SET accepted is remembered
   * this long, so an older one could be a replay nothing would notice (an `account-disabled` played
   * again after `account-enabled`).
   */
  maxAgeSeconds: number;
  now?: () => number;
}

/** A SET (RFC 8417) that passed every check, with its single event. */
export interface VerifiedSecurityEvent {
  transmitter: SecurityEventTransmitter;
  jti: string;
  /** The event type URI: the one member of `events`. */
  type: string;
  payload: Readonly<Record<string, unknown>>;
  /** `sub_id` (SSF), else the event payload's `subject` (CAEP and RISC drafts). */
  subject: unknown;
  /** When the event happened, epoch seconds: `event_timestamp`, else `toe`, else `iat`; never later than now. */
  time: number;
  /** When the SET was issued: its `iat`, epoch seconds. */
  issuedAt: number;
}

const SECEVENT_TYP = 'secevent+jwt';
const MAX_JTI_LENGTH = 256;

/**
 * Verifies Security Event Tokens (RFC 8417) as the OpenID Shared Signals Framework 1.0 profiles
 * them, with the strict core: canonical base64url, no duplicate members, `crit` refused, the
 * algorithm allow-listed and matched to a key of the transmitter's key set (never one the SET
 * names). Then: `typ` `secevent+jwt`; `iss` a configured transmitter; `aud` this receiver; `iat`
 * required, not in the future, not older than `maxAgeSeconds`; `jti` required; `exp` and `nbf`
 * optional but honoured; `events` an object holding exactly one event (SSF 1.0: one event per
 * SET). Every refusal is a `SecurityEventError` whose code is the RFC 8935 §2.3 one; a key set that
 * cannot be fetched is `KeysUnavailableError` (the transmitter should retry: 503).
 */
export class SecurityEventTokenVerifier {
  private readonly byIssuer = new Map<string, SecurityEventTransmitter>();
  private readonly now: () => number;

  constructor(private readonly options: SecurityEventTokenOptions) {
    for (const transmitter of options.transmitters) {
      this.byIssuer.set(transmitter.issuer, transmitter);
    }
    this.now = options.now ?? Date.now;
  }

  get transmitters(): readonly SecurityEventTransmitter[] {
    return this.options.transmitters;
  }

  /**
   * `from`: the transmitter the delivery authenticated as (its push `Authorization`); a SET of any
   * other issuer is then `access_denied`, even one this receiver trusts.
   */
  async verify(set: string, from?: SecurityEventTransmitter): Promise<VerifiedSecurityEvent> {
    let header: JoseHeader;
    let claims: Record<string, unknown>;
    let signatureDot: number;
    try {
      ({ header, payload: claims, signatureDot } = decodeUnverified(set));
    } catch (err) {
      throw refusal('invalid_request', err);
    }
    if (typeof header.typ !== 'string' || normalizedTyp(header.typ) !== SECEVENT_TYP) {
      throw new SecurityEventError('invalid_request', 'The SET typ must be secevent+jwt');
    }
    const issuer = claims.iss;
    const transmitter = typeof issuer === 'string' ? this.byIssuer.get(issuer) : undefined;
    if (!transmitter) {
      throw new SecurityEventError('invalid_issuer', 'The SET issuer is not a trusted transmitter');
    }
    if (from && from !== transmitter) {
      throw new SecurityEventError(
        'access_denied',
        'This delivery is not authorised to carry SETs of that issuer',
      );
    }
    const algorithm = checkedAlgorithm(header, transmitter);
    const key = await keyOf(header, transmitter, algorithm);
    let valid: boolean;
    try {
      valid = isSignatureValid(set, algorithm, key, signatureDot);
    } catch (err) {
      throw refusal('invalid_request', err);
    }
    if (!valid) throw new SecurityEventError('invalid_key', 'The SET signature is invalid');
    return this.checkClaims(claims, transmitter);
  }

  private checkClaims(
    claims: Record<string, unknown>,
    transmitter: SecurityEventTransmitter,
  ): VerifiedSecurityEvent {
    const aud = claims.aud;
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
    if (
      !audiences ||
      !audiences.some((a) => typeof a === 'string' && transmitter.audiences.includes(a))
    ) {
      throw new SecurityEventError('invalid_audience', 'The SET is not addressed to this receiver');
    }
    const nowSeconds = this.now() / 1000;
    const tolerance = this.options.clockToleranceSeconds;
    const { iat, jti, exp, nbf } = claims;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      throw invalid('The SET needs a numeric iat');
    }
    if (iat > nowSeconds + tolerance) throw invalid('The SET iat is in the future');
    if (iat < nowSeconds - this.options.maxAgeSeconds - tolerance) {
      throw invalid('The SET is older than this receiver can tell from a replay');
    }
    if (exp !== undefined && (typeof exp !== 'number' || exp <= nowSeconds - tolerance)) {
      throw invalid('The SET has expired');
    }
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + tolerance)) {
      throw invalid('The SET is not valid yet');
    }
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      throw invalid(`The SET needs a jti of 1 to ${MAX_JTI_LENGTH} characters`);
    }
    const events = claims.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) {
      throw invalid('The SET events claim must be a JSON object');
    }
    const types = Object.keys(events);
    if (types.length !== 1) throw invalid('The SET must carry exactly one event');
    const type = types[0];
    const payload = (events as Record<string, unknown>)[type];
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw invalid('The SET event payload must be a JSON object');
    }
    const event = payload as Record<string, unknown>;
    const subId = claims.sub_id;
    if (subId !== undefined && event.subject !== undefined) {
      throw invalid('The SET names its subject twice (sub_id and the event subject)');
    }
    const subject = subId ?? event.subject;
    if (subject === undefined) throw invalid('The SET event has no subject');
    return {
      transmitter,
      jti,
      type,
      payload: event,
      subject,
      time: Math.min(timeOf(event.event_timestamp) ?? timeOf(claims.toe) ?? iat, nowSeconds),
      issuedAt: iat,
    };
  }
}

function checkedAlgorithm(header: JoseHeader, transmitter: SecurityEventTransmitter): Algorithm {
  const algorithm = header.alg;
  if (!isAlgorithm(algorithm) || !transmitter.algorithms.has(algorithm)) {
    throw new SecurityEventError('invalid_key', 'The SET algorithm is not accepted');
  }
  // RFC 7515 §4.1.11: extensions we do not implement must be refused.
  if (header.crit !== undefined || header.b64 !== undefined) {
    throw invalid('The SET uses a critical header extension this receiver does not support');
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw invalid('The SET kid must be a string');
  }
  return algorithm;
}

async function keyOf(
  header: JoseHeader,
  transmitter: SecurityEventTransmitter,
  algorithm: Algorithm,
): Promise<KeyObject> {
  try {
    return usableKey(await transmitter.keySet.get(header.kid, algorithm), algorithm);
  } catch (err) {
    if (err instanceof KeysUnavailableError) throw err;
    throw refusal('invalid_key', err);
  }
}

function timeOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function normalizedTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function invalid(message: string): SecurityEventError {
  return new SecurityEventError('invalid_request', message);
}

// The core's token refusals say "token"; a SET's refusal keeps their words with its own code.
function refusal(code: SecurityEventErrorCode, err: unknown): SecurityEventError {
  if (!(err instanceof InvalidTokenError)) throw err;
  return new SecurityEventError(code, err.message.replace(/^The token/, 'The SET'));
}
