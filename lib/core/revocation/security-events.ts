import { SecurityEventError } from '../../protocol/errors/errors.js';
import type {
  RevocationBasis,
  RevocationDetails,
  RevocationList,
  RevocationTarget,
} from './revocation-list.js';
import { targetsOf } from './subject-identifier.js';

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';

/** The CAEP 1.0 and RISC 1.0 events that change the revocation list, by their short names. */
export const REVOCATION_EVENTS = {
  [`${CAEP}session-revoked`]: 'session-revoked',
  [`${CAEP}credential-change`]: 'credential-change',
  [`${CAEP}token-claims-change`]: 'token-claims-change',
  [`${CAEP}assurance-level-change`]: 'assurance-level-change',
  [`${RISC}account-disabled`]: 'account-disabled',
  [`${RISC}account-enabled`]: 'account-enabled',
  [`${RISC}account-purged`]: 'account-purged',
  [`${RISC}credential-compromise`]: 'credential-compromise',
  [`${RISC}sessions-revoked`]: 'sessions-revoked',
} as const;

/**
 * One change to the revocation list an event makes; `cause` is the event's short name, `details`
 * when the SET was issued and, for an `assurance-level-change`, the user's level now.
 */
export type RevocationChange =
  | {
      action: 'revoke';
      target: RevocationTarget;
      notBefore: number;
      basis: RevocationBasis;
      cause: string;
      details?: RevocationDetails;
    }
  | {
      action: 'disable';
      target: RevocationTarget;
      at: number;
      cause: string;
      details?: RevocationDetails;
    }
  | { action: 'enable'; target: RevocationTarget; cause: string };

export interface SecurityEventContext {
  /** The event's subject: the SET's `sub_id`, else the CAEP/RISC payload's `subject`. */
  subject: unknown;
  /** Epoch seconds the event happened, as the SET says, never later than its receipt. */
  time: number;
  /** Epoch seconds the SET was issued (its `iat`). */
  issuedAt?: number;
  /** Whose tokens `email` and `opaque` subjects refer to. */
  tokenIssuers: readonly string[];
  /** Whether credential events compare `auth_time` rather than `iat`. */
  compareAuthTime: boolean;
}

/**
 * The changes one event makes, checked in full before any is applied. `undefined` for an event
 * type this module does not act on (acknowledged and ignored), and for one whose subject names
 * nothing a token is keyed by; `[]` for a known event that changes nothing (an assurance level
 * raised).
 */
export function changesOf(
  type: string,
  payload: Readonly<Record<string, unknown>>,
  context: SecurityEventContext,
): RevocationChange[] | undefined {
  const name = Object.prototype.hasOwnProperty.call(REVOCATION_EVENTS, type)
    ? REVOCATION_EVENTS[type as keyof typeof REVOCATION_EVENTS]
    : undefined;
  if (name === undefined) return undefined;
  if (name === 'assurance-level-change') {
    const direction = payload.change_direction;
    if (direction !== undefined && direction !== 'increase' && direction !== 'decrease') {
      throw new SecurityEventError(
        'invalid_request',
        'The assurance-level-change change_direction must be increase or decrease',
      );
    }
    // A raised level leaves older tokens claiming less than is true: nothing to refuse.
    if (direction === 'increase') return [];
  }
  const targets = targetsOf(context.subject, context.tokenIssuers);
  if (!targets) return undefined;
  const { time } = context;
  // CAEP §3.4: the level the user has now, which the step-up challenge asks for.
  const level = name === 'assurance-level-change' ? payload.current_level : undefined;
  const details: RevocationDetails = {
    ...(context.issuedAt !== undefined && { issuedAt: context.issuedAt }),
    ...(typeof level === 'string' && level.length > 0 && { level }),
  };
  const detailed = Object.keys(details).length > 0 ? { details } : {};
  switch (name) {
    case 'account-disabled':
      return targets.map((target) => ({
        action: 'disable',
        target,
        at: time,
        cause: name,
        ...detailed,
      }));
    case 'account-enabled':
      return targets.map((target) => ({ action: 'enable', target, cause: name }));
    default: {
      const basis: RevocationBasis =
        context.compareAuthTime &&
        (name === 'credential-change' || name === 'credential-compromise')
          ? 'auth_time'
          : 'iat';
      return targets.map((target) => ({
        action: 'revoke',
        target,
        notBefore: time,
        basis,
        cause: name,
        ...detailed,
      }));
    }
  }
}

/** Applies changes already checked in full. */
export function applyChanges(list: RevocationList, changes: readonly RevocationChange[]): void {
  for (const change of changes) {
    if (change.action === 'revoke') {
      list.revoke(change.target, change.notBefore, change.basis, change.cause, change.details);
    } else if (change.action === 'disable') {
      list.disable(change.target, change.at, change.cause, change.details);
    } else {
      list.enable(change.target);
    }
  }
}
