import type { AsymmetricAlgorithm } from '../../core/jose/algorithms.js';
import { proofAlgorithms } from '../../core/dpop/dpop-proof.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';

/** DPoP (RFC 9449): sender-constrained access tokens, the module's `dpop` option. */
export interface DPoPOptions {
  /**
   * `allowed` (default): `Authorization: DPoP` with a proof, or `Bearer` for unbound tokens.
   * `required`: every protected route takes DPoP only (per route: `@RequireDPoP()`). `off`: the
   * DPoP scheme is not accepted. In every mode a DPoP-bound token (`cnf.jkt`) sent as `Bearer` is
   * refused.
   */
  mode?: 'allowed' | 'required' | 'off';
  /** Proof algorithms accepted, advertised as `algs`. Default: every asymmetric JWS algorithm. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** How old a proof's `iat` may be, in seconds. Default 300. */
  maxAgeSeconds?: number;
  /** How far ahead of the server's clock a proof's `iat` may be, in seconds. Default 5. */
  futureSeconds?: number;
  /**
   * Require server-issued nonces (RFC 9449 §9): a proof without a current one is answered 401
   * `use_dpop_nonce` with a `DPoP-Nonce` header; accepted requests get a fresh `DPoP-Nonce`.
   * Stateless: replicas sharing `secret` (32 bytes or more) accept each other's nonces.
   */
  nonce?: {
    /** The key nonces are made and checked with, 32 bytes or more; shared by the replicas. */
    secret: string | Buffer;
    /** How long a nonce is accepted at least, in seconds (at most twice this). Default 300. */
    lifetimeSeconds?: number;
  };
  /**
   * Build the expected `htu` from `X-Forwarded-Proto` / `X-Forwarded-Host` (their first values).
   * Off by default: Express's `trust proxy` and Fastify's `trustProxy` settings are honoured
   * anyway (through `req.protocol` / `req.host`); this is for proxies the framework is not told
   * about, and for WebSocket upgrades. Only when a proxy you run sets those headers.
   */
  trustProxy?: boolean;
  /**
   * The origins (`https://api.example.com`) requests may be addressed to. A request whose `Host`
   * (or forwarded host) is another gets no proof accepted, so that a proof made for another API
   * cannot be replayed here by naming that API's host. Unset: any host the request names.
   */
  origins?: readonly string[];
  /**
   * When the replay store (the module's `store`) cannot answer: `refuse` (default) answers 503
   * with `Retry-After`; `local` remembers proof ids in this process until it answers again (a
   * proof replayed to another replica meanwhile gets through), with a warning logged.
   */
  onStoreFailure?: 'refuse' | 'local';
}

/** The `algs` to advertise, or `undefined` when DPoP is off. */
export function dpopAlgorithmsOf(options: DPoPOptions | undefined): readonly string[] | undefined {
  if (options?.mode === 'off') return undefined;
  return proofAlgorithms(options?.algorithms);
}

/** The configured origins, in the form of the request URIs they are compared with. */
export function dpopOrigins(
  origins: readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  if (origins === undefined) return undefined;
  return new Set(origins.map(originOf));
}

function originOf(origin: string): string {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== ''
  ) {
    throw new OidcAuthConfigError(
      'dpop.origins',
      `${JSON.stringify(origin)} is not an http(s) origin (scheme://host[:port])`,
    );
  }
  return url.origin;
}
