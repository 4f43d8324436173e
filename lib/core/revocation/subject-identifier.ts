import { SecurityEventError } from '../../protocol/errors/errors.js';
import type { RevocationTarget } from './revocation-list.js';

/**
 * What a subject identifier (RFC 9493, and the SSF `complex` subject) names, as revocation
 * targets. `undefined`: a well-formed identifier of a format that names nothing a token carries
 * (`phone_number`, `did`, a tenant alone ...), acknowledged and not applied. `tokenIssuers`: whose
 * tokens the formats without an issuer (`email`, `opaque`) refer to, the transmitter's.
 */
export function targetsOf(
  subject: unknown,
  tokenIssuers: readonly string[],
): RevocationTarget[] | undefined {
  const members = objectOf(subject, 'The subject identifier');
  switch (members.format) {
    case 'aliases':
      return aliasesOf(members, tokenIssuers);
    case 'complex':
      return complexOf(members, tokenIssuers);
    default:
      return simpleOf(members, tokenIssuers, 'subject');
  }
}

function simpleOf(
  members: Record<string, unknown>,
  tokenIssuers: readonly string[],
  scope: 'subject' | 'session',
): RevocationTarget[] | undefined {
  switch (members.format) {
    case 'iss_sub': {
      const issuer = stringOf(members, 'iss');
      const value = stringOf(members, 'sub');
      return [{ scope, issuer, value }];
    }
    case 'opaque': {
      const value = stringOf(members, 'id');
      return tokenIssuers.map((issuer) => ({ scope, issuer, value }));
    }
    case 'email': {
      if (scope === 'session') return undefined;
      const value = stringOf(members, 'email');
      return tokenIssuers.map((issuer) => ({ scope: 'email' as const, issuer, value }));
    }
    case 'aliases':
    case 'complex':
      throw invalid(`A ${members.format} subject identifier cannot be nested`);
    default:
      if (typeof members.format !== 'string') {
        throw invalid('The subject identifier has no format');
      }
      return undefined;
  }
}

// RFC 9493 §3.2.2: one subject under several identifiers, each refused.
function aliasesOf(
  members: Record<string, unknown>,
  tokenIssuers: readonly string[],
): RevocationTarget[] | undefined {
  const identifiers = members.identifiers;
  if (!Array.isArray(identifiers) || identifiers.length === 0) {
    throw invalid('An aliases subject identifier needs a non-empty identifiers list');
  }
  const targets = identifiers.flatMap(
    (identifier) => simpleOf(objectOf(identifier, 'An alias'), tokenIssuers, 'subject') ?? [],
  );
  return targets.length ? targets : undefined;
}

/**
 * SSF §3.3 complex subject: a session of a user is its session (under the user's issuer when the
 * user is an `iss_sub`); a user without a session is all of the user's tokens. The tenant only
 * narrows what the user already names, and alone names nothing a token is keyed by here.
 */
function complexOf(
  members: Record<string, unknown>,
  tokenIssuers: readonly string[],
): RevocationTarget[] | undefined {
  const user = members.user === undefined ? undefined : objectOf(members.user, 'The user');
  const session =
    members.session === undefined ? undefined : objectOf(members.session, 'The session');
  if (members.tenant !== undefined) objectOf(members.tenant, 'The tenant');
  if (session) {
    const issuers = user?.format === 'iss_sub' ? [stringOf(user, 'iss')] : tokenIssuers;
    return simpleOf(session, issuers, 'session');
  }
  return user && simpleOf(user, tokenIssuers, 'subject');
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function stringOf(members: Record<string, unknown>, name: string): string {
  const value = members[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`The ${String(members.format)} subject identifier needs a non-empty ${name}`);
  }
  return value;
}

function invalid(message: string): SecurityEventError {
  return new SecurityEventError('invalid_request', message);
}
