import { type IssuerOptions, type KeySetTuning } from '../../core/issuers/issuer-options.js';
import type { IssuerResolver, ResolverCacheOptions } from '../../core/issuers/issuer-resolver.js';
import type { OidcStore } from '../../core/store/store.js';
import type { MtlsOptions } from './mtls.options.js';
import type { PolicyCheck } from './policy-check.js';
import type { ProtectedResourceOptions } from './protected-resource.options.js';
import type { DPoPOptions } from './dpop.options.js';
import type { WebSocketTokenOptions } from './websocket.options.js';
import type { RevocationOptions } from './revocation.options.js';

/** Injection token of the module's options (also what `forRootAsync`'s factory provides). */
export const OIDC_AUTH_OPTIONS = Symbol('OIDC_AUTH_OPTIONS');

/** Injection token of the `OidcStore` in use: `options.store`, else one `MemoryStore`. */
export const OIDC_AUTH_STORE = Symbol('OIDC_AUTH_STORE');

/** Injection token of the `globalGuard` extra: whether `OidcAuthGuard` is the APP_GUARD. */
export const OIDC_AUTH_GLOBAL_GUARD = Symbol('OIDC_AUTH_GLOBAL_GUARD');

/** Everything `OidcAuthModule.forRoot()` / `forRootAsync()` accepts. */
export interface OidcAuthModuleOptions {
  /** Trusted issuers. Presets that return several entries (e.g. `azureAd()`) can be listed as they are. */
  issuers: ReadonlyArray<IssuerOptions | readonly IssuerOptions[]>;
  /**
   * Trust resolved at runtime: asked about a token's `iss` when no `issuers` entry matches, e.g.
   * to look up the tenant whose issuer it is; `undefined` refuses it. Nothing is fetched for an
   * issuer it has not approved. With it, `issuers` may be empty.
   */
  issuerResolver?: IssuerResolver;
  /** How long and how many of the resolver's answers are remembered. */
  resolverCache?: ResolverCacheOptions;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
  /** `realm` of the `WWW-Authenticate` challenge. Default `api`. */
  realm?: string;
  /** Accept `?access_token=` (RFC 6750 §2.3). Off by default: query strings end up in logs. */
  allowQueryToken?: boolean;
  /** Key-set fetching and caching. */
  keys?: KeySetTuning;
  /** Fetch discovery documents and keys during bootstrap. Default true. */
  warmUp?: boolean;
  /** Stop the application when the warm-up cannot load an issuer's keys. Default false. */
  failOnStartup?: boolean;
  /**
   * Publish RFC 9728 protected-resource metadata and point `WWW-Authenticate` challenges at it
   * (`resource_metadata`), so clients can discover how to get a token. Off unless set. The root
   * resource: every route that `@ProtectedResource(name)` does not put under a named one.
   */
  protectedResource?: ProtectedResourceOptions;
  /**
   * Further resources served by the same application (an MCP endpoint beside a REST API), by the
   * name `@ProtectedResource(name)` gives their routes. Each has its own audience and metadata
   * document; a token for one never opens another's routes.
   */
  protectedResources?: Readonly<Record<string, ProtectedResourceOptions>>;
  /** The route table logged at bootstrap, and what it must satisfy. */
  audit?: {
    /** Log every route with its policy at bootstrap. Default true. */
    log?: boolean;
    /** Stop the application when an authenticated route has no `@Scopes`/`@Roles`. Default false. */
    requirePolicy?: boolean;
  };
  /**
   * At most one refusal log line per reason (`signature_invalid` ...) in this many milliseconds;
   * the refusals in between are counted into the next line. `0` logs every refusal. `OidcAuthEvents`
   * reports each one regardless. Default 10000.
   */
  refusalLogIntervalMs?: number;
  /**
   * Where state that outlives a request is kept (DPoP proof ids, introspection results). Default:
   * a `MemoryStore` of this module instance. A `RedisStore` shares it between replicas.
   */
  store?: OidcStore;
  /** DPoP-bound tokens (RFC 9449): accepted by default; see `DPoPOptions`. */
  dpop?: DPoPOptions;
  /** Where WebSocket handshakes may carry the token besides the `Authorization` header. */
  websocket?: WebSocketTokenOptions;
  /**
   * Where the client certificate that certificate-bound tokens (`cnf["x5t#S256"]`, RFC 8705 §3)
   * must match comes from. Default: the TLS connection's.
   */
  mtls?: MtlsOptions;
  /**
   * Named policies for `@Policy(name)` / `@AnyPolicy(name)`: `(principal, context) => boolean` or a
   * promise of one. Policies that need other providers are `@AuthPolicy(name)` classes instead.
   */
  policies?: Readonly<Record<string, PolicyCheck>>;
  /** The verified-token cache: repeated tokens skip the signature check. On by default. */
  cache?: {
    /** `false` verifies every token in full, each time it is presented. Default true. */
    enabled?: boolean;
    /** Verified tokens kept at most; the least recently used go first. Default 10000. */
    maxEntries?: number;
  };
  /**
   * Revocation before expiry: tokens refused once their subject, session or client is revoked,
   * by the application (`OidcRevocations`) or by the identity provider's Security Event Tokens
   * (RFC 8417, pushed per RFC 8935). Checked after the verified-token cache, on every transport
   * and on each message of open connections. Off unless set; see `RevocationOptions`.
   */
  revocation?: RevocationOptions;
}

/** Options of the module itself rather than of token verification. */
export interface OidcAuthModuleExtras {
  /** Register `OidcAuthGuard` as a global guard (APP_GUARD). Default true. */
  globalGuard?: boolean;
}
