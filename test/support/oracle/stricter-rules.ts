import type { TokenView } from './token-view.js';
import { NOW, TOLERANCE } from './worlds.js';

/**
 * A check the module makes that jose (the oracle) does not. Each recognises its cases from the
 * token alone, independently of the module's code; the differential suite requires that every
 * token we refuse and jose accepts matches one of them, and that every token one of them matches
 * is refused by us.
 */
export interface StricterRule {
  /** The standard or reason behind it, one line (SECURITY.md repeats it). */
  why: string;
  applies: (view: TokenView) => boolean;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function isCanonicalBase64url(segment: string): boolean {
  return (
    BASE64URL.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment
  );
}

function isUtf8(bytes: Buffer | undefined): boolean {
  return bytes === undefined || Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/**
 * Names of the top-level members of a JSON object text, in order, duplicates kept. Each name is
 * decoded with JSON.parse, so `"a"` and `"\u0061"` are the same name. `undefined` when the text
 * is not an object.
 */
export function topLevelNames(json: string): string[] | undefined {
  const text = json.replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('{')) return undefined;
  const names: string[] = [];
  let depth = 0;
  let expectName = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectName) {
        try {
          names.push(JSON.parse(text.slice(i, end + 1)) as string);
        } catch {
          return undefined;
        }
        expectName = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      depth += 1;
      expectName = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth -= 1;
    } else if (c === ',' && depth === 1) {
      expectName = true;
    }
  }
  return names;
}

function hasDuplicateNames(bytes: Buffer | undefined): boolean {
  const names = bytes && topLevelNames(bytes.toString('utf8'));
  return names !== undefined && new Set(names).size !== names.length;
}

// The last second of year 9999: every NumericDate that passes can become a printable Date.
const LATEST_NUMERIC_DATE = 253_402_300_799;

function has(object: Record<string, unknown> | undefined, name: string): boolean {
  return object !== undefined && Object.prototype.hasOwnProperty.call(object, name);
}

export const STRICTER_RULES = {
  canonical_base64url: {
    why: 'RFC 7515 §2 and §7.1: each segment is base64url without padding, whitespace or other characters, and with zero spare bits, so one token has one spelling',
    applies: (view) => view.segments.length === 3 && !view.segments.every(isCanonicalBase64url),
  },
  utf8_strict: {
    why: 'RFC 8725 §3.7 and RFC 7515 §5.2 step 3: header and claims must be UTF-8; invalid bytes are refused, not replaced',
    applies: (view) => !isUtf8(view.headerBytes) || !isUtf8(view.payloadBytes),
  },
  duplicate_members: {
    why: 'RFC 7515 §5.2 step 4 and RFC 7519 §4: a header or claims set with a duplicate member name is refused, not resolved last-wins',
    applies: (view) => hasDuplicateNames(view.headerBytes) || hasDuplicateNames(view.payloadBytes),
  },
  crit_refused: {
    why: 'RFC 7515 §4.1.11: the module implements no extension, so a token with `crit` is refused whatever it lists',
    applies: (view) => has(view.header, 'crit'),
  },
  b64_refused: {
    why: 'RFC 7797 §7: JWTs never use unencoded payloads, so a `b64` header is refused even without `crit`',
    applies: (view) => has(view.header, 'b64'),
  },
  kid_must_be_string: {
    why: 'RFC 7515 §4.1.4: `kid` is a string; jose ignores a non-string `kid` and picks a key by type',
    applies: (view) => has(view.header, 'kid') && typeof view.header!.kid !== 'string',
  },
  sub_required: {
    why: 'RFC 9068 §2.2: `sub` is required in a JWT access token, as a non-empty string',
    applies: (view) =>
      view.payload !== undefined &&
      (typeof view.payload.sub !== 'string' || view.payload.sub === ''),
  },
  iat_not_in_future: {
    why: 'RFC 7519 §4.1.6: a token issued after now (beyond the clock tolerance) comes from a wrong clock or a forger',
    applies: (view) => typeof view.payload?.iat === 'number' && view.payload.iat - TOLERANCE > NOW,
  },
  numeric_date_range: {
    why: 'RFC 7519 §2: `exp`, `nbf`, `iat` and `auth_time` are NumericDates, so numbers from 1970 to year 9999; jose takes 1e400 (Infinity) as a valid `exp` and ignores `auth_time`',
    applies: (view) =>
      ['exp', 'nbf', 'iat', 'auth_time'].some((name) => {
        if (!has(view.payload, name)) return false;
        const value = view.payload![name];
        return typeof value !== 'number' || !(value >= 0 && value <= LATEST_NUMERIC_DATE);
      }),
  },
  aud_strings_only: {
    why: 'RFC 7519 §4.1.3: `aud` is a string or an array of strings; jose accepts an array with other members when one matches',
    applies: (view) => {
      if (!has(view.payload, 'aud')) return false;
      const aud = view.payload!.aud;
      return !(
        typeof aud === 'string' ||
        (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
      );
    },
  },
} satisfies Record<string, StricterRule>;

export type StricterRuleName = keyof typeof STRICTER_RULES;

export function matchingRules(view: TokenView): StricterRuleName[] {
  return (Object.keys(STRICTER_RULES) as StricterRuleName[]).filter((name) =>
    STRICTER_RULES[name].applies(view),
  );
}
