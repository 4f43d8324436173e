import { dpopProofContents, DpopKey, signDpopJws } from '../client/dpop-key.js';

/** What a test proof is for, and what to make wrong in it. */
export interface TestDpopProofOptions {
  /** The request method (`htm`). */
  method: string;
  /** The full URL the server sees, e.g. `${await app.getUrl()}/notes`; query and fragment are dropped. */
  url: string | URL;
  /** The server's nonce, when it asks for one (`DPoP-Nonce`). */
  nonce?: string;
  /** Header members added or replaced (`typ`, `alg`, `jwk` ...); `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Claims added or replaced (`iat`, `jti`, `htu`, `ath` ...); `undefined` removes one. */
  claims?: Record<string, unknown>;
}

/**
 * A proof by `key` for a request with `token` (RFC 9449 §4.2), as a DPoP client would send it,
 * or, with `header`/`claims`, as a broken or malicious one would: stale `iat`, another `htu`, a
 * reused `jti`, a private key in `jwk` ...
 */
export function dpopProof(
  key: DpopKey,
  options: TestDpopProofOptions & { token?: string },
): string {
  const { header, payload } = dpopProofContents(key, {
    method: options.method,
    url: options.url,
    nonce: options.nonce,
    accessToken: options.token,
  });
  // JSON leaves out members whose value is undefined: that is how an override removes one.
  return signDpopJws(key, { ...header, ...options.header }, { ...payload, ...options.claims });
}

/**
 * A DPoP-bound access token (`cnf.jkt` = the key's thumbprint) and the key it is bound to, making
 * the proofs and headers a client sends with it.
 */
export class DpopBoundToken {
  constructor(
    readonly token: string,
    readonly key: DpopKey,
  ) {}

  /** A fresh proof for one request with this token. */
  proof(options: TestDpopProofOptions): string {
    return dpopProof(this.key, { ...options, token: this.token });
  }

  /** `Authorization: DPoP <token>` and a fresh `DPoP` proof, ready for `supertest`'s `.set()`. */
  headers(options: TestDpopProofOptions): { authorization: string; dpop: string } {
    return { authorization: `DPoP ${this.token}`, dpop: this.proof(options) };
  }
}
