import {
  auth0,
  azureAd,
  cognito,
  google,
  type GoogleOptions,
  type IssuerOptions,
  keycloak,
  OidcAuthConfigError,
  oidc,
  okta,
} from '../../../lib/index.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../identity-provider/signing-keys.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How the sample finds its identity provider: the embedded one, or one named by the environment. */
export type AuthSettings =
  | { mode: 'embedded'; audience: string; idpPort: number; signingAlgorithm: SigningAlgorithm }
  | { mode: 'external'; issuers: IssuerOptions[]; discoveryUrl: string; description: string };

/** A setting that stops the app at boot, naming the variable to fix. */
export class SettingsError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'SettingsError';
  }
}

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new SettingsError(name, 'must be set');
  return value;
}

function optional(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function url(env: Env, name: string, value = required(env, name)): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return value;
  } catch {
    // reported below
  }
  throw new SettingsError(name, `must be an http(s) URL, got ${JSON.stringify(value)}`);
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

export function port(env: Env, name: string, fallback: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
    throw new SettingsError(name, `must be a TCP port number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/**
 * `<PREFIX>_DISCOVERY_URI` or `<PREFIX>_JWKS_URI`: where to reach a provider through a proxy or a
 * stand-in, while its tokens keep their real issuer.
 */
function keyAddress(env: Env, prefix: string): { discoveryUri?: string; jwksUri?: string } {
  const discovery = `${prefix}_DISCOVERY_URI`;
  const jwks = `${prefix}_JWKS_URI`;
  if (optional(env, discovery) && optional(env, jwks)) {
    throw new SettingsError(discovery, `and ${jwks} must not both be set`);
  }
  return {
    discoveryUri: optional(env, discovery) && url(env, discovery),
    jwksUri: optional(env, jwks) && url(env, jwks),
  };
}

function discoveryOf(entry: IssuerOptions): string {
  return (
    entry.discoveryUri ?? `${entry.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  );
}

function external(issuers: IssuerOptions[], description: string): AuthSettings {
  return { mode: 'external', issuers, discoveryUrl: discoveryOf(issuers[0]), description };
}

/**
 * `GOOGLE_ACCESS_TOKENS=true`: Google's opaque access tokens too, through token-info (at
 * `GOOGLE_TOKEN_INFO_URI` when set: a proxy or a stand-in), with `INTROSPECTION_MAX_AGE_MS`.
 */
function googleAccessTokens(env: Env): Pick<GoogleOptions, 'accessTokens'> {
  const enabled = optional(env, 'GOOGLE_ACCESS_TOKENS');
  const endpoint = optional(env, 'GOOGLE_TOKEN_INFO_URI');
  if (enabled === undefined || enabled === 'false') {
    if (endpoint)
      throw new SettingsError('GOOGLE_TOKEN_INFO_URI', 'needs GOOGLE_ACCESS_TOKENS=true');
    return {};
  }
  if (enabled !== 'true') {
    throw new SettingsError(
      'GOOGLE_ACCESS_TOKENS',
      `must be true or false, got ${JSON.stringify(enabled)}`,
    );
  }
  return {
    accessTokens: {
      tokenInfoEndpoint: endpoint && url(env, 'GOOGLE_TOKEN_INFO_URI'),
      ...introspectionMaxAge(env),
    },
  };
}

const PRESETS: Record<string, (env: Env) => AuthSettings> = {
  'azure-ad': (env) => {
    const tenantId = required(env, 'AZURE_TENANT_ID');
    const clientId = required(env, 'AZURE_CLIENT_ID');
    const instance = optional(env, 'AZURE_INSTANCE') && url(env, 'AZURE_INSTANCE');
    try {
      const issuers = azureAd({
        tenantId,
        clientId,
        instance,
        allowedTenants: list(optional(env, 'AZURE_ALLOWED_TENANTS')),
      });
      return external(issuers, 'Microsoft Entra ID');
    } catch (err) {
      if (err instanceof OidcAuthConfigError) {
        throw new SettingsError('AZURE_TENANT_ID', err.message.replace(/^.*tenantId /, ''));
      }
      throw err;
    }
  },
  auth0: (env) =>
    external(
      [
        auth0({
          domain: required(env, 'AUTH0_DOMAIN'),
          audience: required(env, 'AUTH0_AUDIENCE'),
          rolesClaim: optional(env, 'AUTH0_ROLES_CLAIM'),
        }),
      ],
      'Auth0',
    ),
  keycloak: (env) =>
    external(
      [
        keycloak({
          url: url(env, 'KEYCLOAK_URL'),
          realm: required(env, 'KEYCLOAK_REALM'),
          audience: required(env, 'KEYCLOAK_AUDIENCE'),
          clientId: optional(env, 'KEYCLOAK_CLIENT_ID'),
        }),
      ],
      'Keycloak',
    ),
  okta: (env) =>
    external(
      [
        okta({
          domain: required(env, 'OKTA_DOMAIN'),
          authorizationServerId: optional(env, 'OKTA_AUTH_SERVER_ID'),
          audience: optional(env, 'OKTA_AUDIENCE'),
        }),
      ],
      'Okta',
    ),
  cognito: (env) =>
    external(
      [
        cognito({
          region: required(env, 'COGNITO_REGION'),
          userPoolId: required(env, 'COGNITO_USER_POOL_ID'),
          clientId: list(required(env, 'COGNITO_CLIENT_ID'))!,
          ...keyAddress(env, 'COGNITO'),
        }),
      ],
      'Amazon Cognito',
    ),
  google: (env) =>
    external(
      [
        google({
          audience: list(required(env, 'GOOGLE_AUDIENCE'))!,
          hostedDomains: list(optional(env, 'GOOGLE_HOSTED_DOMAINS')),
          ...keyAddress(env, 'GOOGLE'),
          ...googleAccessTokens(env),
        }),
      ],
      'Google',
    ),
};

/** `INTROSPECTION_MAX_AGE_MS`: how long an introspection answer is reused; the module's default if unset. */
export function introspectionMaxAge(env: Env): { maxAgeMs?: number } {
  const value = optional(env, 'INTROSPECTION_MAX_AGE_MS');
  if (value === undefined) return {};
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new SettingsError(
      'INTROSPECTION_MAX_AGE_MS',
      `must be a positive number of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return { maxAgeMs: parsed };
}

/**
 * `OIDC_INTROSPECTION_CLIENT_ID` and `OIDC_INTROSPECTION_CLIENT_SECRET`: opaque tokens of
 * `OIDC_ISSUER` are introspected (RFC 7662, client_secret_basic, the endpoint from discovery).
 */
function introspectionFrom(env: Env): Pick<IssuerOptions, 'introspection'> {
  const id = 'OIDC_INTROSPECTION_CLIENT_ID';
  const secret = 'OIDC_INTROSPECTION_CLIENT_SECRET';
  const clientId = optional(env, id);
  const clientSecret = optional(env, secret);
  if (clientId === undefined && clientSecret === undefined) return {};
  if (clientId === undefined) throw new SettingsError(id, `must be set with ${secret}`);
  if (clientSecret === undefined) throw new SettingsError(secret, `must be set with ${id}`);
  return { introspection: { clientId, clientSecret, ...introspectionMaxAge(env) } };
}

/** `DEV_IDP_SIGNING_ALG`: what the embedded provider signs tokens with (RS256 unless set). */
function signingAlgorithmOf(env: Env): SigningAlgorithm {
  const value = optional(env, 'DEV_IDP_SIGNING_ALG') ?? 'RS256';
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(value)) {
    throw new SettingsError(
      'DEV_IDP_SIGNING_ALG',
      `must be one of ${SIGNING_ALGORITHMS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as SigningAlgorithm;
}

/**
 * Reads the identity-provider settings from the environment. `OIDC_ISSUER` wins over everything
 * (generic claims, nothing else read); then `OIDC_PROVIDER` presets; otherwise the embedded provider.
 */
export function authSettingsFrom(env: Env): AuthSettings {
  const issuer = optional(env, 'OIDC_ISSUER');
  if (issuer !== undefined) {
    url(env, 'OIDC_ISSUER', issuer);
    const trusted = oidc({ issuer, audience: required(env, 'OIDC_AUDIENCE') });
    return external([{ ...trusted, ...introspectionFrom(env) }], issuer);
  }
  const provider = optional(env, 'OIDC_PROVIDER');
  if (provider !== undefined) {
    const preset = PRESETS[provider];
    if (!preset) {
      throw new SettingsError(
        'OIDC_PROVIDER',
        `must be one of ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(provider)}`,
      );
    }
    return preset(env);
  }
  return {
    mode: 'embedded',
    audience: optional(env, 'DEV_IDP_AUDIENCE') ?? 'api://notes',
    idpPort: port(env, 'DEV_IDP_PORT', 4000),
    signingAlgorithm: signingAlgorithmOf(env),
  };
}

/**
 * `OIDC_MCP_RESOURCE`: the MCP endpoint's resource URI, which clients ask their tokens for (RFC
 * 8707) and which those tokens carry as audience; by default `/mcp` at the API's URL. Behind a
 * proxy, the URL clients reach the endpoint at (its path ending `/mcp`, where it is served).
 */
export function mcpResourceFrom(env: Env, apiUrl: string): string {
  const value = optional(env, 'OIDC_MCP_RESOURCE');
  if (value === undefined) return `${apiUrl}/mcp`;
  url(env, 'OIDC_MCP_RESOURCE', value);
  if (new URL(value).pathname !== '/mcp' || /[?#]/.test(value)) {
    throw new SettingsError(
      'OIDC_MCP_RESOURCE',
      `must be the URL of the MCP endpoint, ending in /mcp with no query or fragment, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * The issuer entry, also accepting tokens issued for `resource`: the URL the API advertises as
 * its RFC 9728 `resource`, which a client following RFC 8707 asks its tokens for. An entry that
 * checks no audience is left as it is.
 */
export function acceptingResource(issuer: IssuerOptions, resource: string): IssuerOptions {
  if (issuer.audience === false) return issuer;
  const audiences = typeof issuer.audience === 'string' ? [issuer.audience] : issuer.audience;
  return audiences.includes(resource) ? issuer : { ...issuer, audience: [...audiences, resource] };
}
