import { InvalidTokenError } from '../../protocol/errors/errors.js';
import { audienceList, type JwtClaims } from '../claims/claims.js';
import { OidcPrincipal } from '../claims/principal.js';
import type { TrustedIssuer } from '../issuers/trusted-issuer.js';

/** The time a token is judged at, and the leeway granted on it. */
export interface ClaimClock {
  nowSeconds: number;
  toleranceSeconds: number;
}

// Checked like exp when present; auth_time (OIDC Core §2) only for its range: how old it may be is
// the application's rule.
const NUMERIC_DATES = ['nbf', 'iat', 'auth_time'] as const;

// RFC 7519 NumericDate, bounded by the last second of year 9999: every date claim that passes can
// become a Date and be printed (principal.toJSON, messages) without throwing a RangeError.
const LATEST_NUMERIC_DATE = 253_402_300_799;

function checkDateRange(name: string, seconds: number): void {
  if (seconds < 0 || seconds > LATEST_NUMERIC_DATE) {
    throw new InvalidTokenError(
      'claim_invalid',
      `The token ${name} claim is out of range (0 to ${LATEST_NUMERIC_DATE})`,
    );
  }
}

/**
 * The claim rules (RFC 7519 §7.2, RFC 9068 §4) over the payload of a token whose signature is
 * verified, and the principal it makes. Pure: the clock is given.
 */
export function checkClaims(
  claims: JwtClaims,
  issuer: TrustedIssuer,
  clock: ClaimClock,
): OidcPrincipal {
  const { nowSeconds, toleranceSeconds: tolerance } = clock;
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new InvalidTokenError('claim_invalid', 'The token must have a numeric exp claim');
  }
  checkDateRange('exp', exp);
  if (exp + tolerance <= nowSeconds) {
    throw new InvalidTokenError(
      'token_expired',
      `The token expired at ${new Date(exp * 1000).toISOString()}`,
    );
  }
  for (const name of NUMERIC_DATES) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidTokenError('claim_invalid', `The token ${name} claim must be a number`);
    }
    checkDateRange(name, value);
    if (name !== 'auth_time' && value - tolerance > nowSeconds) {
      throw new InvalidTokenError(
        'token_not_yet_valid',
        name === 'nbf' ? 'The token is not valid yet' : 'The token was issued in the future',
      );
    }
  }
  const audienceClaim = claims[issuer.audienceClaim];
  const audience = audienceClaim === undefined ? [] : audienceList(audienceClaim);
  if (audience === undefined) {
    throw new InvalidTokenError(
      'claim_invalid',
      `The token ${issuer.audienceClaim} claim must be a string or a list of strings`,
    );
  }
  if (issuer.audiences) {
    if (!audience.some((aud) => issuer.audiences!.has(aud))) {
      throw new InvalidTokenError(
        'audience_mismatch',
        'The token is not meant for this API (audience)',
      );
    }
  }
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') {
    throw new InvalidTokenError('claim_invalid', 'The token must have a sub claim');
  }
  for (const name of issuer.requiredClaims) {
    if (claims[name] === undefined) {
      throw new InvalidTokenError('claim_invalid', `The token must have a ${name} claim`);
    }
  }
  const problem = issuer.validateClaims?.(claims);
  if (problem) throw new InvalidTokenError('claim_invalid', problem);
  return new OidcPrincipal(
    subject,
    // An alias of an entry (Google's two spellings) names the entry's issuer: one user, one
    // issuer. A template's principal keeps its tenant's own issuer.
    issuer.isTemplate ? (claims.iss as string) : issuer.issuer,
    audience,
    new Date(exp * 1000),
    issuer.claimMapper(claims),
    claims,
  );
}
