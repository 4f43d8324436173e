import { ASYMMETRIC_ALGORITHMS } from '../../lib/index.js';

/**
 * The `DPoP` challenge (RFC 9449 §7.1) a default configuration adds beside `Bearer` to every 401
 * and 400 about credentials: every asymmetric algorithm, realm `api`.
 */
export const DEFAULT_DPOP_CHALLENGE = `DPoP algs="${ASYMMETRIC_ALGORITHMS.join(' ')}", realm="api"`;

/** One challenge of a `WWW-Authenticate` header: its scheme and its parameters. */
export interface ParsedChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * A strict reader of `WWW-Authenticate` (RFC 9110 §11.6.1, auth-params only, as RFC 6750 §3 and
 * RFC 9449 §7.1 use it), as a client would read it: a header it cannot read throws.
 */
export function parseChallenges(header: string): ParsedChallenge[] {
  const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
  const challenges: ParsedChallenge[] = [];
  let rest = header;
  const skipSpace = () => (rest = rest.replace(/^[ \t]+/, ''));
  while (rest.length > 0) {
    const scheme = token.exec(rest)?.[0];
    if (!scheme) throw new Error(`no auth-scheme at ${JSON.stringify(rest)}`);
    rest = rest.slice(scheme.length);
    const challenge: ParsedChallenge = { scheme, params: {} };
    challenges.push(challenge);
    skipSpace();
    // Parameters follow until the next "<token> <token>=" or "<token>" ending the list.
    while (rest.length > 0) {
      const name = token.exec(rest)?.[0];
      if (!name) throw new Error(`no auth-param at ${JSON.stringify(rest)}`);
      const after = rest.slice(name.length).replace(/^[ \t]*/, '');
      if (!after.startsWith('=')) break; // the next challenge's scheme
      rest = after.slice(1).replace(/^[ \t]*/, '');
      let value: string;
      if (rest.startsWith('"')) {
        const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
        if (!quoted) throw new Error(`unterminated quoted-string at ${JSON.stringify(rest)}`);
        value = quoted[1].replace(/\\(.)/g, '$1');
        rest = rest.slice(quoted[0].length);
      } else {
        value = token.exec(rest)?.[0] ?? '';
        if (!value) throw new Error(`no value for ${name} at ${JSON.stringify(rest)}`);
        rest = rest.slice(value.length);
      }
      const key = name.toLowerCase();
      if (key in challenge.params) throw new Error(`${name} twice in one challenge`);
      challenge.params[key] = value;
      skipSpace();
      if (rest.startsWith(',')) rest = rest.slice(1).replace(/^[ \t]*/, '');
      else if (rest.length > 0) throw new Error(`expected "," at ${JSON.stringify(rest)}`);
    }
  }
  return challenges;
}
