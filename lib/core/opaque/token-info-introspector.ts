import { IntrospectionUnavailableError } from '../../protocol/errors/errors.js';
import {
  describeFetchFailure,
  IssuerFetchError,
  readJsonObject,
} from '../../protocol/http/fetch-json.js';
import type { JwtClaims } from '../claims/claims.js';
import type { Introspector, IntrospectionResult } from '../introspection/introspector.js';
import { INTROSPECTION_RETRY_AFTER_SECONDS } from './rfc7662-introspector.js';

export interface TokenInfoIntrospectorOptions {
  /** The issuer the answers speak for, named in the 503 the request then gets. */
  issuer: string;
  endpoint: string;
  /** Reads the endpoint's JSON answer; throws, saying why, for one it cannot read. */
  read: (answer: JwtClaims) => IntrospectionResult;
  /** Longest wait for the endpoint (ms). Default 3000. */
  timeoutMs?: number;
  /** Largest answer accepted (bytes). Default 16 KiB: a token-info answer is a few hundred. */
  maxBytes?: number;
}

// Token-info endpoints answer 400 (Google) or 401 with an `invalid_token` body for a token they do
// not know; any other status says nothing about the token.
const ANSWERING = new Set([200, 400, 401]);

/**
 * Asks a provider's token-info endpoint (Google's is the one in use) what an opaque access token
 * grants: a POST presenting the token as a Bearer credential, as the provider's own client library
 * does, so that it stays out of the URL and every access log. Bounded in time and size; redirects
 * are not followed. Whatever prevents a verdict is `IntrospectionUnavailableError` (503), whose
 * detail never holds the token.
 */
export class TokenInfoIntrospector implements Introspector {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: TokenInfoIntrospectorOptions) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024;
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    const { endpoint, read } = this.options;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
    } catch (err) {
      throw this.unavailable(signal.aborted ? this.late() : describeFetchFailure(err));
    }
    let answer: Record<string, unknown>;
    try {
      if (!ANSWERING.has(res.status)) throw new IssuerFetchError(endpoint, `HTTP ${res.status}`);
      answer = await readJsonObject(res, endpoint, this.maxBytes);
    } catch (err) {
      await res.body?.cancel().catch(() => undefined);
      throw this.unavailable(
        err instanceof IssuerFetchError
          ? err.detail
          : signal.aborted
            ? this.late()
            : describeFetchFailure(err),
      );
    }
    try {
      return read(answer);
    } catch (err) {
      throw this.unavailable(`HTTP ${res.status}: ${(err as Error).message}`);
    }
  }

  private late(): string {
    return `no answer within ${this.timeoutMs} ms`;
  }

  private unavailable(detail: string): IntrospectionUnavailableError {
    return new IntrospectionUnavailableError(
      this.options.issuer,
      INTROSPECTION_RETRY_AFTER_SECONDS,
      `${this.options.endpoint}: ${detail}`,
    );
  }
}
