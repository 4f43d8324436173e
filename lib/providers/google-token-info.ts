import type { JwtClaims } from '../core/claims/claims.js';
import type { IntrospectionResult } from '../core/introspection/introspector.js';

/** Where Google answers what an access token (`ya29.`) grants. Not RFC 7662. */
export const GOOGLE_TOKEN_INFO_ENDPOINT = 'https://oauth2.googleapis.com/tokeninfo';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

// Google writes numbers as strings (`"exp": "1750003600"`); a seconds count has at most 12 digits
// for the next thirty thousand years, which also keeps it a safe integer.
const SECONDS = /^[0-9]{1,12}$/;

function secondsOf(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  return typeof value === 'string' && SECONDS.test(value) ? Number(value) : undefined;
}

function booleanOf(value: unknown): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

/**
 * Reads Google's token-info answer as an RFC 7662 one, so that the core checks it like any other:
 * `{"error":"invalid_token"}` (what Google answers, with 400, for an expired, revoked or made-up
 * token) is inactive; an answer naming the OAuth client (`aud`) and a whole-seconds `exp` is
 * active, with `azp` as the `client_id`, Google's issuer, `exp` and `email_verified` as the numbers
 * and booleans Google writes as strings. `expires_in` is left out: it is relative to the moment
 * Google answered, and wrong as soon as the answer is reused.
 *
 * Throws, saying why, for anything else: that is Google (or whatever answers in its place)
 * misbehaving, not a verdict on the token.
 */
export function googleTokenInfoResult(answer: JwtClaims): IntrospectionResult {
  if (answer.error !== undefined) {
    if (answer.error === 'invalid_token') return { active: false };
    throw new Error(`token-info answered the error ${JSON.stringify(answer.error)}`);
  }
  if (typeof answer.aud !== 'string' || answer.aud === '') {
    throw new Error('token-info answered no aud');
  }
  const exp = secondsOf(answer.exp);
  if (exp === undefined) throw new Error('token-info answered no exp in whole seconds');
  const { expires_in: _relative, ...claims } = answer;
  return {
    active: true,
    claims: {
      ...claims,
      iss: GOOGLE_ISSUER,
      exp,
      ...(typeof answer.azp === 'string' && answer.azp !== '' && { client_id: answer.azp }),
      ...(answer.email_verified !== undefined && {
        email_verified: booleanOf(answer.email_verified),
      }),
      token_type: 'Bearer',
    },
  };
}
