import { createHmac } from 'node:crypto';
import { OidcAuthConfigError } from '../config/config-error.js';

/**
 * Server-issued DPoP nonces (RFC 9449 §8, §9) without shared state: the nonce of a time window is
 * an HMAC of the window's number under a secret every replica shares, so any replica accepts a
 * nonce another one issued. A nonce is accepted in its window and the next one, i.e. for at least
 * `lifetimeSeconds` and at most twice that.
 */
export class DPoPNonces {
  private readonly secret: Buffer;
  private readonly windowMs: number;
  private window = Number.NaN;
  private current = '';
  private previous = '';

  constructor(secret: string | Buffer, lifetimeSeconds = 300) {
    this.secret = Buffer.from(secret);
    if (this.secret.length < 32) {
      throw new OidcAuthConfigError('dpop.nonce.secret', 'must be at least 32 bytes');
    }
    if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds < 1) {
      throw new OidcAuthConfigError('dpop.nonce.lifetimeSeconds', 'must be a number >= 1');
    }
    this.windowMs = lifetimeSeconds * 1000;
  }

  /** The nonce to hand out now (`DPoP-Nonce`). */
  issue(nowMs: number): string {
    this.advance(nowMs);
    return this.current;
  }

  /** Whether `nonce` was issued by a replica sharing the secret, recently enough. */
  accepts(nonce: unknown, nowMs: number): boolean {
    this.advance(nowMs);
    return typeof nonce === 'string' && (nonce === this.current || nonce === this.previous);
  }

  // One HMAC per window and replica, not per request.
  private advance(nowMs: number): void {
    const window = Math.floor(nowMs / this.windowMs);
    if (window === this.window) return;
    this.previous = window === this.window + 1 ? this.current : this.nonceOf(window - 1);
    this.current = this.nonceOf(window);
    this.window = window;
  }

  private nonceOf(window: number): string {
    const mac = createHmac('sha256', this.secret).update(`dpop-nonce:${window}`).digest();
    return `${window.toString(36)}.${mac.subarray(0, 18).toString('base64url')}`;
  }
}
