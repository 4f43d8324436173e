import { InvalidTokenError } from '../protocol/errors.js';

export interface JoseHeader {
  alg: string;
  kid?: string;
  typ?: string;
  crit?: unknown;
  [name: string]: unknown;
}

export interface UnverifiedJwt {
  header: JoseHeader;
  payload: Record<string, unknown>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!SEGMENT.test(segment))
    throw new InvalidTokenError('malformed_token', `The token ${what} is not base64url`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed_token', `The token ${what} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidTokenError('malformed_token', `The token ${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads a compact JWS without trusting it, to learn which issuer and key to verify it with. Nothing
 * read here is believed until the signature checks out.
 */
export function decodeUnverified(token: string): UnverifiedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new InvalidTokenError(
      'malformed_token',
      parts.length === 5
        ? 'Encrypted tokens (JWE) are not accepted'
        : 'The token is not a signed JWT (header.payload.signature)',
    );
  }
  if (parts[2] === '') throw new InvalidTokenError('malformed_token', 'The token has no signature');
  const header = decodeSegment(parts[0], 'header');
  if (typeof header.alg !== 'string') {
    throw new InvalidTokenError('malformed_token', 'The token header has no alg');
  }
  return { header: header as JoseHeader, payload: decodeSegment(parts[1], 'payload') };
}
