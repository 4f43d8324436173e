import { createSecretKey, KeyObject } from 'node:crypto';
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  isAlgorithm,
  isSymmetric,
} from '../jose/algorithms.js';
import { type ClaimMapper, type JwtClaims } from '../claims/claims.js';
import { OidcAuthConfigError } from '../config/config-error.js';
import {
  type IntrospectionSettings,
  introspectionSettingsOf,
} from '../introspection/introspection-settings.js';
import { type IssuerOptions, type KeySetTuning } from './issuer-options.js';
import { jwksLoader, type JwksSource } from '../keys/jwks-loader.js';
import { type KeyFetchOutcome, reportingFetches } from '../keys/key-fetch-report.js';
import { KeySet, type VerificationKey } from '../keys/key-set.js';
import { standardClaims } from '../claims/standard-claims.js';

export const TENANT_PLACEHOLDER = '{tenantid}';

/** The `keys` tuning every key set follows unless told otherwise (SET transmitters' too). */
export const DEFAULT_TUNING: Required<KeySetTuning> = {
  cooldownMs: 5_000,
  maxAgeMs: 10 * 60_000,
  maxWaitMs: 1_000,
  timeoutMs: 5_000,
  maxBytes: 512 * 1024,
};

function checkUrl(path: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value.replace(TENANT_PLACEHOLDER, 'tenant'));
  } catch {
    throw new OidcAuthConfigError(path, `must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OidcAuthConfigError(path, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
}

// RFC 7519 §2 StringOrURI: `iss` may be any string, but one with a colon must be a URI.
function checkStringOrUri(path: string, value: string): void {
  if (!/^[^\s\p{Cc}]+$/u.test(value)) {
    throw new OidcAuthConfigError(path, `must have no spaces, got ${JSON.stringify(value)}`);
  }
  if (value.includes(':') && !URL.canParse(value)) {
    throw new OidcAuthConfigError(path, `has a colon but is no URI, got ${JSON.stringify(value)}`);
  }
}

function aliasesOf(path: string, aliases: IssuerOptions['issuerAliases']): readonly string[] {
  const list = aliases ?? [];
  list.forEach((alias, i) => {
    const at = `${path}.issuerAliases[${i}]`;
    if (typeof alias !== 'string') throw new OidcAuthConfigError(at, 'must be a string');
    checkStringOrUri(at, alias);
  });
  return list;
}

function audiencesOf(
  path: string,
  audience: IssuerOptions['audience'],
): ReadonlySet<string> | null {
  if (audience === false) return null;
  const list = typeof audience === 'string' ? [audience] : audience;
  if (!Array.isArray(list) || list.length === 0 || list.some((a) => typeof a !== 'string' || !a)) {
    throw new OidcAuthConfigError(
      `${path}.audience`,
      'is required: a non-empty string or list of strings (or false to turn the check off explicitly)',
    );
  }
  return new Set(list);
}

function algorithmsOf(path: string, options: IssuerOptions): ReadonlySet<Algorithm> {
  const hasSecret = options.secret !== undefined;
  const list = options.algorithms ?? (hasSecret ? ['HS256'] : ASYMMETRIC_ALGORITHMS);
  if (list.length === 0) throw new OidcAuthConfigError(`${path}.algorithms`, 'must not be empty');
  for (const alg of list) {
    if (!isAlgorithm(alg)) {
      const hint =
        String(alg).toLowerCase() === 'none' ? ' (unsigned tokens are never accepted)' : '';
      throw new OidcAuthConfigError(
        `${path}.algorithms`,
        `has an unknown algorithm ${JSON.stringify(alg)}${hint}`,
      );
    }
    if (isSymmetric(alg) !== hasSecret) {
      throw new OidcAuthConfigError(
        `${path}.algorithms`,
        hasSecret
          ? `has ${alg}, but an issuer with a shared secret accepts only HS256/HS384/HS512`
          : `has ${alg}, which needs a shared secret (set ${path}.secret explicitly)`,
      );
    }
  }
  return new Set(list);
}

function secretKeyOf(path: string, secret: string | Buffer): KeyObject {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  // RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
  if (bytes.length < 32)
    throw new OidcAuthConfigError(`${path}.secret`, 'must be at least 32 bytes');
  return createSecretKey(bytes);
}

type KeySource = JwksSource | { kind: 'secret'; secret: string | Buffer };

function keySourceOf(path: string, options: IssuerOptions): KeySource {
  const given = ['jwksUri', 'jwks', 'secret'].filter(
    (k) => options[k as keyof IssuerOptions] !== undefined,
  );
  if (given.length > 1) {
    throw new OidcAuthConfigError(
      path,
      `must have only one key source, got ${given.join(' and ')}`,
    );
  }
  if (options.secret !== undefined) return { kind: 'secret', secret: options.secret };
  if (options.jwks) {
    if (!Array.isArray(options.jwks.keys)) {
      throw new OidcAuthConfigError(`${path}.jwks`, 'must be a JWK set ({ keys: [...] })');
    }
    return { kind: 'static', jwks: options.jwks };
  }
  if (options.jwksUri) {
    checkUrl(`${path}.jwksUri`, options.jwksUri);
    return { kind: 'uri', jwksUri: options.jwksUri };
  }
  if (options.discoveryUri) checkUrl(`${path}.discoveryUri`, options.discoveryUri);
  return {
    kind: 'discovery',
    target: { issuer: options.issuer, discoveryUri: options.discoveryUri },
  };
}

/** Who is told about an issuer's key-set fetches: caches of verified tokens, telemetry. */
export interface KeySetHooks {
  /** After each successful fetch, with the keys now published. */
  onKeysRefreshed?: (issuer: string, keys: readonly VerificationKey[]) => void;
  /** After each fetch, successful or not. */
  onKeysFetched?: (issuer: string, outcome: KeyFetchOutcome) => void;
}

/**
 * The key set `source` publishes, fetched under the module's `keys` tuning (defaults filled in):
 * an issuer's, or a security-event transmitter's, with the same outage and rotation rules.
 */
export function tunedKeySet(
  issuer: string,
  source: JwksSource,
  tuning: KeySetTuning | undefined,
  hooks: KeySetHooks = {},
): KeySet {
  const t = { ...DEFAULT_TUNING, ...tuning };
  const load = jwksLoader(source, { timeoutMs: t.timeoutMs, maxBytes: t.maxBytes });
  const { onKeysRefreshed, onKeysFetched } = hooks;
  return new KeySet(
    issuer,
    onKeysFetched ? reportingFetches(load, (outcome) => onKeysFetched(issuer, outcome)) : load,
    { cooldownMs: t.cooldownMs, maxAgeMs: t.maxAgeMs, maxWaitMs: t.maxWaitMs },
    onKeysRefreshed && ((keys) => onKeysRefreshed(issuer, keys)),
  );
}

/**
 * An issuer entry checked and ready: everything the verifier needs to judge that issuer's tokens.
 * Built once at startup; invalid options throw `OidcAuthConfigError` here.
 */
export class TrustedIssuer {
  readonly issuer: string;
  /** Further exact `iss` values of this issuer (`IssuerOptions.issuerAliases`). */
  readonly aliases: readonly string[];
  readonly isTemplate: boolean;
  readonly allowedTenants: ReadonlySet<string> | null;
  readonly audiences: ReadonlySet<string> | null;
  readonly audienceClaim: string;
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly claimMapper: ClaimMapper;
  readonly typ?: string;
  readonly requiredClaims: readonly string[];
  readonly validateClaims?: (claims: JwtClaims) => string | undefined;
  readonly secret?: KeyObject;
  readonly keySet?: KeySet;
  /** How its opaque tokens are introspected, when they are. */
  readonly introspection?: IntrospectionSettings;
  /** Where the keys come from, to tell whether a renewed entry may keep this one's key set. */
  private readonly keySource?: string;

  constructor(
    options: IssuerOptions,
    path: string,
    tuning: KeySetTuning = {},
    hooks: KeySetHooks = {},
    /**
     * The entry this one renews (an issuer the resolver approved again): its key set, keys loaded,
     * is kept when the keys come from the same place.
     */
    previous?: TrustedIssuer,
  ) {
    if (typeof options?.issuer !== 'string' || !options.issuer) {
      throw new OidcAuthConfigError(`${path}.issuer`, 'is required');
    }
    // Discovery needs a URL to start from; an issuer that is not one needs its keys named.
    const keysNamed = [options.jwksUri, options.jwks, options.secret].some((k) => k !== undefined);
    if (keysNamed) checkStringOrUri(`${path}.issuer`, options.issuer);
    else checkUrl(`${path}.issuer`, options.issuer);
    this.issuer = options.issuer;
    this.isTemplate = options.issuer.includes(TENANT_PLACEHOLDER);
    this.aliases = aliasesOf(path, options.issuerAliases);
    if (
      this.aliases.some((alias) => alias.includes(TENANT_PLACEHOLDER)) ||
      (this.isTemplate && this.aliases.length)
    ) {
      throw new OidcAuthConfigError(
        `${path}.issuerAliases`,
        `cannot be combined with ${TENANT_PLACEHOLDER}`,
      );
    }
    if (this.isTemplate) {
      const tenants = options.allowedTenants;
      if (!tenants?.length || tenants.some((t) => typeof t !== 'string' || !t)) {
        throw new OidcAuthConfigError(
          `${path}.allowedTenants`,
          `is required for the multi-tenant issuer ${options.issuer} (list tenant ids, or ['*'] for any)`,
        );
      }
      this.allowedTenants = tenants.includes('*') ? null : new Set(tenants);
    } else {
      this.allowedTenants = null;
    }
    this.audiences = audiencesOf(path, options.audience);
    this.audienceClaim = options.audienceClaim ?? 'aud';
    this.algorithms = algorithmsOf(path, options);
    this.claimMapper = options.claimMapper ?? standardClaims;
    this.typ = options.typ;
    this.requiredClaims = options.requiredClaims ?? [];
    this.validateClaims = options.validateClaims;
    this.introspection = introspectionSettingsOf(path, options);
    const source = keySourceOf(path, options);
    if (source.kind === 'secret') {
      this.secret = secretKeyOf(path, source.secret);
    } else {
      this.keySource = JSON.stringify([options.issuer, source]);
      this.keySet =
        previous?.keySource === this.keySource && previous.keySet
          ? previous.keySet
          : tunedKeySet(options.issuer, source, tuning, hooks);
    }
  }
}
