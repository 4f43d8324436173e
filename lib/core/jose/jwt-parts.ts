import { InvalidTokenError } from '../../protocol/errors/errors.js';

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

/** The 6-bit value of a base64url character already known to be one. */
function sextet(c: number): number {
  if (c >= 0x61) return c - 0x61 + 26; // a-z
  if (c >= 0x41) return c === 0x5f ? 63 : c - 0x41; // A-Z, _
  return c === 0x2d ? 62 : c - 0x30 + 52; // -, 0-9
}

/**
 * The bytes of one compact-JWS segment, which must be base64url exactly as RFC 7515 §2 writes it:
 * the URL-safe alphabet, no padding, and (for a length of 2 or 3 mod 4) zero bits after the last
 * byte in the last character; anything else is `malformed_token`. Node's decoder skips or
 * normalises anything else, so one token would have endless spellings, each a miss in any cache
 * keyed on the token.
 *
 * Checked around Node's decoder rather than by a scan of its own: the decoder also takes the
 * standard alphabet's `+` and `/` and padding, looked for first; it skips every other character
 * outside its alphabet, which leaves fewer bytes than the segment's length promises.
 */
export function decodeBase64url(segment: string, what: string): Buffer {
  const length = segment.length;
  const tail = length % 4;
  if (
    length === 0 ||
    tail === 1 ||
    segment.indexOf('+') >= 0 ||
    segment.indexOf('/') >= 0 ||
    segment.indexOf('=') >= 0
  ) {
    throw notBase64url(what);
  }
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length !== Math.floor((length * 3) / 4)) throw notBase64url(what);
  if (tail !== 0) {
    const spare = sextet(segment.charCodeAt(length - 1)) & (tail === 2 ? 0x0f : 0x03);
    if (spare !== 0) throw notBase64url(what);
  }
  return bytes;
}

function notBase64url(what: string): InvalidTokenError {
  return new InvalidTokenError('malformed_token', `The token ${what} is not base64url`);
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64url(segment, what);
  let json: string;
  let parsed: unknown;
  try {
    json = utf8.decode(bytes);
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
 * Headers of tokens whose signature verified, by their encoded text: an issuer signs every token
 * with one of a few headers, so most tokens need only their payload decoded. Only verified headers
 * are remembered, so refused tokens cannot fill it; it starts over when full (key rotations).
 */
export class KnownHeaders {
  private readonly headers = new Map<string, JoseHeader>();

  constructor(private readonly maxEntries = 64) {}

  get(segment: string): JoseHeader | undefined {
    return this.headers.get(segment);
  }

  /** `segment`'s decoded header, once the signature over it has verified. */
  remember(segment: string, header: JoseHeader): void {
    if (this.headers.has(segment)) return;
    if (this.headers.size >= this.maxEntries) this.headers.clear();
    // Shared by every request that sends it from now on: nobody may change it.
    this.headers.set(segment, Object.freeze(header));
  }
}

/**
 * A compact JWS read without trusting it, with its encoded header (the `KnownHeaders` key) and
 * where its signature begins.
 */
export interface UnverifiedCompactJwt extends UnverifiedJwt {
  headerSegment: string;
  /** The index of the dot before the signature: the length of the signing input. */
  signatureDot: number;
}

/**
 * Reads a compact JWS without trusting it, to learn which issuer and key to verify it with. Nothing
 * read here is believed until the signature checks out. `known`: headers verified before, which
 * need no second decoding.
 */
export function decodeUnverified(token: string, known?: KnownHeaders): UnverifiedCompactJwt {
  // indexOf rather than split(): no array of parts per token.
  const firstDot = token.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
  if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
    throw new InvalidTokenError(
      'malformed_token',
      token.split('.').length === 5
        ? 'Encrypted tokens (JWE) are not accepted'
        : 'The token is not a signed JWT (header.payload.signature)',
    );
  }
  if (secondDot === token.length - 1) {
    throw new InvalidTokenError('malformed_token', 'The token has no signature');
  }
  const headerSegment = token.slice(0, firstDot);
  let header = known?.get(headerSegment);
  if (!header) {
    const decoded = decodeSegment(headerSegment, 'header');
    if (typeof decoded.alg !== 'string') {
      throw new InvalidTokenError('malformed_token', 'The token header has no alg');
    }
    header = decoded as JoseHeader;
  }
  const payload = decodeSegment(token.slice(firstDot + 1, secondDot), 'payload');
  return { header, payload, headerSegment, signatureDot: secondDot };
}
