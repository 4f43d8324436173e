import { LRUCache } from 'lru-cache';
import { type DpopAlgorithm, DpopKey } from './dpop-key.js';

export interface DpopClientOptions {
  /** The algorithm of the key generated on first use. Default ES256. */
  algorithm?: DpopAlgorithm;
  /** A key the application keeps itself (e.g. to survive restarts), instead of a generated one. */
  key?: DpopKey;
}

// RFC 9449 §8.1: nonce = 1*NQCHAR, printable ASCII but `"` and `\`. Anything else is not a nonce,
// and a server cannot need one longer than this.
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]{1,1024}$/;
// Each origin the client talks to (its token endpoint, its downstream APIs) keeps its own nonce.
const MAX_ORIGINS = 256;

/**
 * A client's DPoP state: one key pair for all its tokens (made on first use), and the latest
 * nonce each server gave (RFC 9449 §8, §9), put in the next proof for that server.
 */
export class DpopSession {
  private key?: Promise<DpopKey>;
  private readonly nonces = new LRUCache<string, string>({ max: MAX_ORIGINS });

  constructor(private readonly options: DpopClientOptions = {}) {}

  /** The key this client's tokens are bound to. */
  keyPair(): Promise<DpopKey> {
    if (this.options.key) return Promise.resolve(this.options.key);
    this.key ??= DpopKey.generate(this.options.algorithm ?? 'ES256').catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  /** A fresh proof for one request, with the nonce the server at `url` last gave, if any. */
  async proof(method: string, url: string, accessToken?: string): Promise<string> {
    const key = await this.keyPair();
    return key.proof({ method, url, accessToken, nonce: this.nonces.get(new URL(url).origin) });
  }

  /**
   * Keeps the nonce a response from `url` carries (`DPoP-Nonce`), for the next proof to that
   * server. True when it carried a usable one.
   */
  remember(url: string, headers: Headers): boolean {
    const nonce = headers.get('dpop-nonce');
    if (nonce === null || !NONCE.test(nonce)) return false;
    this.nonces.set(new URL(url).origin, nonce);
    return true;
  }
}

/**
 * Whether a resource server's 401 asks for a proof with its nonce (RFC 9449 §9):
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`.
 */
export function isNonceChallenge(response: Response): boolean {
  return (
    response.status === 401 &&
    /(?:^|[\s,])error\s*=\s*"?use_dpop_nonce"?/i.test(
      response.headers.get('www-authenticate') ?? '',
    )
  );
}
