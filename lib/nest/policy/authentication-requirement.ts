import { InsufficientUserAuthenticationError } from '../../protocol/errors/errors.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';

/** What `@RequireAuthentication()` asks of the user's authentication (RFC 9470). */
export interface AuthenticationRequirement {
  /** Authentication context classes, any one of which will do (matched exactly). */
  acr?: readonly string[];
  /** The user must have authenticated at most this many seconds ago (`auth_time`). */
  maxAgeSeconds?: number;
}

/** The time a requirement is judged at, and the leeway on `auth_time` (the module's clock tolerance). */
export interface AuthenticationClock {
  nowSeconds: number;
  toleranceSeconds: number;
}

/**
 * Checks a decorator's argument where the mistake is made, at class definition: an empty
 * requirement or a malformed value would otherwise only show as every request being refused.
 */
export function authenticationRequirement(
  requirement: AuthenticationRequirement,
): AuthenticationRequirement {
  const { acr, maxAgeSeconds } = requirement ?? {};
  if (acr === undefined && maxAgeSeconds === undefined) {
    throw new TypeError('@RequireAuthentication() needs acr values, maxAgeSeconds or both');
  }
  if (acr !== undefined) {
    if (!Array.isArray(acr) || acr.length === 0) {
      throw new TypeError('@RequireAuthentication() acr must be a non-empty list');
    }
    for (const value of acr) {
      if (typeof value !== 'string' || value === '' || /\s/.test(value)) {
        throw new TypeError(
          `@RequireAuthentication() acr values must be non-empty strings without spaces, got ${JSON.stringify(value)}`,
        );
      }
    }
  }
  if (
    maxAgeSeconds !== undefined &&
    (typeof maxAgeSeconds !== 'number' || !Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0)
  ) {
    throw new TypeError('@RequireAuthentication() maxAgeSeconds must be a whole number >= 0');
  }
  return { acr: acr && [...acr], maxAgeSeconds };
}

/** The requirement in the route audit's words: `acr (mfa | phr) within 300s`. */
export function describeAuthentication({ acr, maxAgeSeconds }: AuthenticationRequirement): string {
  const parts = [
    acr && `acr ${acr.length === 1 ? acr[0] : `(${acr.join(' | ')})`}`,
    maxAgeSeconds !== undefined && `within ${maxAgeSeconds}s`,
  ];
  return `authentication ${parts.filter(Boolean).join(' ')}`;
}

/** The requirement as an OpenAPI extension, in RFC 9470's parameter names. */
export interface OpenApiAuthentication {
  acr_values?: string[];
  max_age?: number;
}

export function openApiAuthentication({
  acr,
  maxAgeSeconds,
}: AuthenticationRequirement): OpenApiAuthentication {
  return {
    ...(acr && { acr_values: [...acr] }),
    ...(maxAgeSeconds !== undefined && { max_age: maxAgeSeconds }),
  };
}

function refuse(requirement: AuthenticationRequirement, message: string): never {
  throw new InsufficientUserAuthenticationError(
    message,
    requirement.acr,
    requirement.maxAgeSeconds,
  );
}

/**
 * Throws `InsufficientUserAuthenticationError` unless the principal's authentication meets the
 * requirement. The clock tolerance widens the age window as it widens `exp`, as OIDC clients do for
 * `max_age`: a user who authenticated `maxAgeSeconds + toleranceSeconds` ago still passes.
 */
export function enforceAuthentication(
  requirement: AuthenticationRequirement,
  principal: OidcPrincipal,
  clock: AuthenticationClock,
): void {
  const context = principal.authContext;
  const { acr, maxAgeSeconds } = requirement;
  if (acr && !acr.some((value) => context.acr.includes(value))) {
    refuse(
      requirement,
      acr.length === 1
        ? `This resource requires the authentication context ${acr[0]}`
        : `This resource requires one of the authentication contexts ${acr.join(', ')}`,
    );
  }
  if (maxAgeSeconds !== undefined) {
    if (context.authTime === undefined) {
      refuse(requirement, 'This resource requires a token that says when the user authenticated');
    }
    // A sign-in later than now (beyond the tolerance) says nothing about how recent it was; the
    // core refuses an iat in the future likewise.
    if (context.authTime - clock.toleranceSeconds > clock.nowSeconds) {
      refuse(requirement, 'This resource requires a token whose auth_time is not in the future');
    }
    if (clock.nowSeconds - context.authTime > maxAgeSeconds + clock.toleranceSeconds) {
      refuse(
        requirement,
        `This resource requires an authentication within the last ${maxAgeSeconds} seconds`,
      );
    }
  }
}
