import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  isAlgorithm,
  isSymmetric,
  keyFits,
} from '../jose/algorithms.js';
import { OidcAuthConfigError } from '../config/config-error.js';
import type { DiscoveryTarget } from '../../protocol/http/discovery.js';
import type { IntrospectionOptions } from './introspection-options.js';
import type { Introspector } from './introspector.js';

/** How this API authenticates to the introspection endpoint, checked. */
export type ClientAuthentication =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  | {
      method: 'private_key_jwt';
      clientId: string;
      key: KeyObject;
      algorithm: AsymmetricAlgorithm;
      kid?: string;
      audience?: string;
    }
  | { method: 'none'; clientId: string };

/** An issuer's `introspection` options, checked at startup, with the defaults filled in. */
export interface IntrospectionSettings {
  /** Absent with a custom `introspector`. */
  client?: ClientAuthentication;
  endpoint?: string;
  /** Where the endpoint is discovered when not given. */
  discovery: DiscoveryTarget;
  signedResponse: boolean;
  introspectJwts: boolean;
  tokenPrefixes: readonly string[];
  timeoutMs: number;
  maxBytes: number;
  maxAgeMs: number;
  inactiveMaxAgeMs: number;
  introspector?: Introspector;
}

const KEYS: ReadonlySet<string> = new Set<keyof IntrospectionOptions>([
  'clientId',
  'clientSecret',
  'clientAssertion',
  'clientAuthentication',
  'endpoint',
  'signedResponse',
  'introspectJwts',
  'tokenPrefixes',
  'timeoutMs',
  'maxBytes',
  'maxAgeMs',
  'inactiveMaxAgeMs',
  'introspector',
]);

function positive(path: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OidcAuthConfigError(path, `must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function assertionAlgorithmOf(
  path: string,
  key: KeyObject,
  given?: Algorithm,
): AsymmetricAlgorithm {
  // Without one given, the first that fits: RS256 for RSA, ES* by curve, Ed25519 or Ed448.
  const algorithm = given ?? ASYMMETRIC_ALGORITHMS.find((alg) => keyFits(alg, key));
  if (!isAlgorithm(algorithm) || isSymmetric(algorithm) || !keyFits(algorithm, key)) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new OidcAuthConfigError(
      `${path}.algorithm`,
      `must be an RS, PS, ES or EdDSA algorithm that fits the ${key.asymmetricKeyType ?? 'given'} key${curve ? ` (${curve})` : ''}`,
    );
  }
  return algorithm;
}

function privateKeyOf(path: string, privateKey: KeyObject | string): KeyObject {
  if (typeof privateKey !== 'string') {
    if (privateKey?.type !== 'private') {
      throw new OidcAuthConfigError(path, 'must be a private KeyObject or a PEM private key');
    }
    return privateKey;
  }
  try {
    return createPrivateKey(privateKey);
  } catch {
    throw new OidcAuthConfigError(path, 'is not a PEM private key');
  }
}

function clientOf(path: string, options: IntrospectionOptions): ClientAuthentication {
  const { clientId, clientSecret, clientAssertion } = options;
  if (typeof clientId !== 'string' || clientId === '') {
    throw new OidcAuthConfigError(`${path}.clientId`, 'is required (or give an introspector)');
  }
  if (clientSecret !== undefined && clientAssertion !== undefined) {
    throw new OidcAuthConfigError(path, 'must have clientSecret or clientAssertion, not both');
  }
  const method =
    options.clientAuthentication ??
    (clientAssertion
      ? 'private_key_jwt'
      : clientSecret !== undefined
        ? 'client_secret_basic'
        : undefined);
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (typeof clientSecret !== 'string' || clientSecret === '') {
        throw new OidcAuthConfigError(`${path}.clientSecret`, `is required for ${method}`);
      }
      return { method, clientId, clientSecret };
    case 'private_key_jwt': {
      if (!clientAssertion) {
        throw new OidcAuthConfigError(`${path}.clientAssertion`, 'is required for private_key_jwt');
      }
      const at = `${path}.clientAssertion`;
      const key = privateKeyOf(`${at}.privateKey`, clientAssertion.privateKey);
      const algorithm = assertionAlgorithmOf(at, key, clientAssertion.algorithm);
      const { kid, audience } = clientAssertion;
      return { method, clientId, key, algorithm, kid, audience };
    }
    case 'none':
      if (clientSecret !== undefined || clientAssertion !== undefined) {
        throw new OidcAuthConfigError(
          `${path}.clientAuthentication`,
          'is none, but credentials are given',
        );
      }
      return { method, clientId };
    default:
      throw new OidcAuthConfigError(
        `${path}.clientAuthentication`,
        method === undefined
          ? "needs credentials: clientSecret, clientAssertion, or clientAuthentication: 'none' said explicitly"
          : `must be client_secret_basic, client_secret_post, private_key_jwt or none, got ${JSON.stringify(method)}`,
      );
  }
}

/** The parts of an issuer's options (`IssuerOptions`) its introspection depends on. */
interface IntrospectingIssuer {
  issuer: string;
  discoveryUri?: string;
  secret?: unknown;
  introspection?: IntrospectionOptions;
}

/**
 * Checks an issuer's `introspection` options (throwing `OidcAuthConfigError` naming the bad one)
 * and fills in the defaults; `undefined` when the issuer does not introspect.
 */
export function introspectionSettingsOf(
  path: string,
  issuer: IntrospectingIssuer,
): IntrospectionSettings | undefined {
  const options = issuer.introspection;
  if (options === undefined) return undefined;
  const at = `${path}.introspection`;
  if (typeof options !== 'object' || options === null) {
    throw new OidcAuthConfigError(at, 'must be an object');
  }
  const unknown = Object.keys(options).filter((key) => !KEYS.has(key));
  if (unknown.length)
    throw new OidcAuthConfigError(at, `has unknown options: ${unknown.join(', ')}`);
  if (issuer.issuer.includes('{tenantid}')) {
    throw new OidcAuthConfigError(at, 'cannot be used with a {tenantid} issuer');
  }
  const introspector = options.introspector;
  if (introspector !== undefined && typeof introspector?.introspect !== 'function') {
    throw new OidcAuthConfigError(`${at}.introspector`, 'must have an introspect(token) method');
  }
  if (options.endpoint !== undefined && !URL.canParse(options.endpoint)) {
    throw new OidcAuthConfigError(`${at}.endpoint`, 'must be an absolute URL');
  }
  if (options.signedResponse && issuer.secret !== undefined) {
    throw new OidcAuthConfigError(
      `${at}.signedResponse`,
      "needs the issuer's public key set, not a shared secret",
    );
  }
  const prefixes = options.tokenPrefixes ?? [];
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string' || p === '')) {
    throw new OidcAuthConfigError(`${at}.tokenPrefixes`, 'must be a list of non-empty strings');
  }
  return {
    client: introspector ? undefined : clientOf(at, options),
    endpoint: options.endpoint,
    discovery: { issuer: issuer.issuer, discoveryUri: issuer.discoveryUri },
    signedResponse: options.signedResponse === true,
    introspectJwts: options.introspectJwts === true,
    tokenPrefixes: prefixes,
    timeoutMs: positive(`${at}.timeoutMs`, options.timeoutMs, 3_000),
    maxBytes: positive(`${at}.maxBytes`, options.maxBytes, 64 * 1024),
    maxAgeMs: positive(`${at}.maxAgeMs`, options.maxAgeMs, 60_000),
    inactiveMaxAgeMs: positive(`${at}.inactiveMaxAgeMs`, options.inactiveMaxAgeMs, 10_000),
    introspector,
  };
}
