import { hash, type KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { discoverEndpoint } from '../protocol/http/discovery.js';
import {
  describeFetchFailure,
  IssuerFetchError,
  readJsonObject,
} from '../protocol/http/fetch-json.js';
import { decodeUnverified } from '../core/jose/jwt-parts.js';
import { type DpopClientOptions, DpopSession } from './dpop-session.js';
import {
  tokenEndpointError,
  TokenEndpointUnavailableError,
  UnexpectedTokenTypeError,
} from './token-endpoint-errors.js';

/** What a downstream token is for: scopes (Entra, Auth0 ...) and/or a resource (RFC 8707). */
export interface TokenTarget {
  /** The scopes the token is asked for (`scope`). */
  scopes?: readonly string[];
  /** The resource indicator (RFC 8707 `resource`) the token is asked for. */
  resource?: string;
}

export interface TokenClientOptions {
  /** The issuer whose discovery document names the token endpoint. */
  issuer?: string;
  /** Where to read the discovery document when it is not under `issuer`. */
  discoveryUri?: string;
  /** Skips discovery. */
  tokenEndpoint?: string;
  /** This application's client id at the authorization server. */
  clientId: string;
  /** client_secret_basic authentication. */
  clientSecret?: string;
  /** private_key_jwt authentication (RFC 7523): a signed assertion instead of a secret. */
  clientAssertion?: {
    /** The private key the assertion is signed with (a `KeyObject` or PEM). */
    privateKey: KeyObject | string;
    /** The assertion's signature algorithm. Default RS256. */
    algorithm?: jwt.Algorithm;
    /** The `kid` header of the assertion, naming the key registered at the authorization server. */
    kid?: string;
  };
  /**
   * How to exchange an incoming token for a downstream one: Entra ID's on-behalf-of flow or RFC 8693
   * token exchange. Default `token-exchange`.
   */
  exchange?: 'on-behalf-of' | 'token-exchange';
  /** Tokens are renewed this long before they expire (seconds). Default 60. */
  refreshSkewSeconds?: number;
  /** Most on-behalf-of tokens kept (per user and target). Default 1000. */
  maxCachedTokens?: number;
  /** Timeout of one discovery or token request (ms). Default 5000. */
  timeoutMs?: number;
  /** The clock, in epoch milliseconds, that token lifetimes are measured with. Default `Date.now`. */
  now?: () => number;
  /**
   * Ask for DPoP-bound tokens (RFC 9449): a key pair is generated on first use and kept, every
   * token request carries a proof of it, and `authorizedFetch` sends `Authorization: DPoP` with a
   * fresh proof per call. `true` for an ES256 key, or the algorithm or key to use.
   */
  dpop?: boolean | DpopClientOptions;
}

interface Cached {
  accessToken: string;
  /** Epoch ms after which the token is renewed. */
  renewAt: number;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
// A token response holds a few tokens of a few KiB each; anything far larger is not one.
const MAX_RESPONSE_BYTES = 256 * 1024;

function targetKey(target: TokenTarget): string {
  return `${target.resource ?? ''}|${[...(target.scopes ?? [])].sort().join(' ')}`;
}

/**
 * Gets tokens for calling downstream APIs: as this API itself (client credentials) or on behalf of
 * the user whose token it received (Entra on-behalf-of, or RFC 8693 token exchange). Tokens are
 * cached until shortly before they expire; concurrent callers asking for the same token share one
 * request to the token endpoint; failures are never cached.
 */
export class TokenClient {
  private endpoint?: Promise<string>;
  private readonly appTokens = new Map<string, Cached>();
  private readonly userTokens: LRUCache<string, Cached>;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly now: () => number;
  /** The DPoP key and server nonces, when `dpop` is set; `authorizedFetch` proves with them. */
  readonly dpop?: DpopSession;

  constructor(private readonly options: TokenClientOptions) {
    if (!options.clientSecret && !options.clientAssertion) {
      throw new TypeError('TokenClient needs clientSecret or clientAssertion');
    }
    if (!options.tokenEndpoint && !options.issuer) {
      throw new TypeError('TokenClient needs tokenEndpoint or issuer');
    }
    this.userTokens = new LRUCache({ max: options.maxCachedTokens ?? 1000 });
    this.now = options.now ?? Date.now;
    if (options.dpop) this.dpop = new DpopSession(options.dpop === true ? {} : options.dpop);
  }

  /** A token for this API itself (RFC 6749 §4.4). */
  getAppToken(target: TokenTarget): Promise<string> {
    const key = `app|${targetKey(target)}`;
    return this.cachedOrFetch(key, this.appTokens, () =>
      this.request({ grant_type: 'client_credentials', ...this.targetParams(target) }),
    );
  }

  /**
   * A token for the downstream API that acts for the user of `incomingToken` (already verified by
   * the guard). Cached per user (subject, tenant and a hash of the token; never the token itself)
   * and per target.
   */
  getTokenOnBehalfOf(incomingToken: string, target: TokenTarget): Promise<string> {
    const { payload } = decodeUnverified(incomingToken);
    const user = `${String(payload.tid ?? '')}|${String(payload.sub ?? '')}|${hash('sha256', incomingToken, 'base64url')}`;
    const key = `obo|${user}|${targetKey(target)}`;
    const params: Record<string, string> =
      this.options.exchange === 'on-behalf-of'
        ? { grant_type: JWT_BEARER, assertion: incomingToken, requested_token_use: 'on_behalf_of' }
        : {
            grant_type: TOKEN_EXCHANGE,
            subject_token: incomingToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            requested_token_type: ACCESS_TOKEN_TYPE,
          };
    return this.cachedOrFetch(key, this.userTokens, () =>
      this.request({ ...params, ...this.targetParams(target) }),
    );
  }

  /** Forgets a token the downstream API refused, so the next call fetches a new one. */
  evict(accessToken: string): void {
    for (const [key, cached] of this.appTokens) {
      if (cached.accessToken === accessToken) this.appTokens.delete(key);
    }
    for (const [key, cached] of this.userTokens.entries()) {
      if (cached.accessToken === accessToken) this.userTokens.delete(key);
    }
  }

  private targetParams(target: TokenTarget): Record<string, string> {
    return {
      ...(target.scopes?.length ? { scope: target.scopes.join(' ') } : {}),
      ...(target.resource ? { resource: target.resource } : {}),
    };
  }

  private cachedOrFetch(
    key: string,
    cache: { get(key: string): Cached | undefined; set(key: string, value: Cached): unknown },
    fetchToken: () => Promise<{ accessToken: string; expiresIn: number }>,
  ): Promise<string> {
    const cached = cache.get(key);
    if (cached && this.now() < cached.renewAt) return Promise.resolve(cached.accessToken);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const started = this.now();
    const skewMs = (this.options.refreshSkewSeconds ?? 60) * 1000;
    const request = fetchToken()
      .then(({ accessToken, expiresIn }) => {
        cache.set(key, { accessToken, renewAt: started + expiresIn * 1000 - skewMs });
        return accessToken;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  private tokenEndpoint(): Promise<string> {
    if (this.options.tokenEndpoint) return Promise.resolve(this.options.tokenEndpoint);
    this.endpoint ??= discoverEndpoint(
      { issuer: this.options.issuer!, discoveryUri: this.options.discoveryUri },
      'token_endpoint',
      { timeoutMs: this.options.timeoutMs ?? 5000, maxBytes: 512 * 1024 },
    ).catch((err: unknown) => {
      this.endpoint = undefined;
      throw new TokenEndpointUnavailableError(err instanceof Error ? err.message : String(err));
    });
    return this.endpoint;
  }

  private async request(
    params: Record<string, string>,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const endpoint = await this.tokenEndpoint();
    let answer = await this.post(endpoint, params);
    // RFC 9449 §8: the token endpoint wants its nonce in the proof; it gave one, so ask once more.
    if (answer.json.error === 'use_dpop_nonce' && answer.newNonce) {
      answer = await this.post(endpoint, params);
    }
    const { status, ok, json } = answer;
    if (!ok || typeof json.access_token !== 'string') {
      throw tokenEndpointError(status, json);
    }
    if (this.dpop && String(json.token_type).toLowerCase() !== 'dpop') {
      // A Bearer token here would be sent as a DPoP one and refused downstream, or, worse, work
      // for anyone who obtains it.
      throw new UnexpectedTokenTypeError(
        typeof json.token_type === 'string' ? json.token_type : '',
        status,
      );
    }
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 300;
    return { accessToken: json.access_token, expiresIn };
  }

  /** One POST to the token endpoint, with fresh client authentication and DPoP proof. */
  private async post(
    endpoint: string,
    params: Record<string, string>,
  ): Promise<{ status: number; ok: boolean; json: Record<string, unknown>; newNonce: boolean }> {
    const body = new URLSearchParams(params);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const { clientId, clientSecret, clientAssertion } = this.options;
    if (clientAssertion) {
      body.set('client_id', clientId);
      body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      body.set('client_assertion', this.assertion(endpoint));
    } else {
      const basic = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret!)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    if (this.dpop) headers.dpop = await this.dpop.proof('POST', endpoint);
    const timeoutMs = this.options.timeoutMs ?? 5000;
    const signal = AbortSignal.timeout(timeoutMs);
    const failure = (err: unknown) =>
      new TokenEndpointUnavailableError(
        signal.aborted ? `no answer within ${timeoutMs} ms` : describeFetchFailure(err),
      );
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body, signal });
    } catch (err) {
      throw failure(err);
    }
    const newNonce = this.dpop?.remember(endpoint, res.headers) ?? false;
    if (res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      throw new TokenEndpointUnavailableError(`HTTP ${res.status}`);
    }
    let json: Record<string, unknown>;
    try {
      json = await readJsonObject(res, endpoint, MAX_RESPONSE_BYTES);
    } catch (err) {
      await res.body?.cancel().catch(() => undefined);
      if (err instanceof IssuerFetchError) {
        throw new TokenEndpointUnavailableError(`it answered ${res.status} but ${err.detail}`);
      }
      throw failure(err);
    }
    return { status: res.status, ok: res.ok, json, newNonce };
  }

  /** RFC 7523 §2.2 client assertion, valid for one minute, for this token endpoint only. */
  private assertion(audience: string): string {
    const { clientId, clientAssertion } = this.options;
    const algorithm = clientAssertion!.algorithm ?? 'RS256';
    return jwt.sign({ jti: randomUUID() }, clientAssertion!.privateKey, {
      algorithm,
      issuer: clientId,
      subject: clientId,
      audience,
      expiresIn: 60,
      keyid: clientAssertion!.kid,
    });
  }
}
