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
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Counts the members of a JSON object text at its top level. JSON.parse keeps the last of
 * duplicate names silently, so two `aud` or `alg` members could mean different things to different
 * parsers (RFC 7515 §5.2 and RFC 7519 §4 require rejecting them); comparing this count with the
 * parsed object's keys finds them without a second parser.
 */
function topLevelMemberCount(json: string): number {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    } else if (c === 0x3a && depth === 1) {
      members += 1;
    }
  }
  return members;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!SEGMENT.test(segment)) {
    throw new InvalidTokenError('malformed_token', `The token ${what} is not base64url`);
  }
  let json: string;
  let parsed: unknown;
  try {
    json = utf8.decode(Buffer.from(segment, 'base64url'));
    parsed = JSON.parse(json);
  } catch {
    throw new InvalidTokenError('malformed_token', `The token ${what} is not UTF-8 JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidTokenError('malformed_token', `The token ${what} is not a JSON object`);
  }
  if (topLevelMemberCount(json) !== Object.keys(parsed).length) {
    throw new InvalidTokenError('malformed_token', `The token ${what} has duplicate members`);
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
