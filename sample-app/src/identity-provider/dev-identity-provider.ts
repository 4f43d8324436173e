import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type Configuration } from 'oidc-provider';
import { DEMO_USERS, type DemoUser, findUser } from './accounts.js';
import { clientMetadataFetch } from './client-metadata-fetch.js';
import { handleInteraction } from './interactions.js';
import { errorPage } from './pages.js';
import {
  loadOrCreateSigningKeys,
  type PrivateJwks,
  rotateSigningKeys,
  type SigningAlgorithm,
} from './signing-keys.js';
import { registerTokenExchange, TOKEN_EXCHANGE } from './token-exchange.js';
import {
  ACCOUNT_DISABLED,
  ACCOUNT_ENABLED,
  SESSION_REVOKED,
  SsfTransmitter,
} from './ssf-transmitter.js';

export interface DevIdentityProviderOptions {
  port: number;
  host?: string;
  /** The API's resource indicator; JWT access tokens are issued for it (RFC 8707, RFC 9068). */
  audience: string;
  /**
   * The API's URL, which it advertises as its RFC 9728 `resource`: a client that asks for a token
   * for it (RFC 8707 `resource`) gets one with the API's scopes and this audience.
   */
  apiResource?: string;
  /**
   * The MCP server's resource URI (RFC 8707 / RFC 9728 `resource`): a token asked for it carries
   * it alone as audience and the notes scopes, and opens only the MCP endpoint.
   */
  mcpResource?: string;
  /**
   * CA certificates (PEM) trusted, besides the system's, for client ID metadata documents served
   * on this machine (https on a loopback address, e.g. with a mkcert certificate).
   */
  clientMetadataCa?: string | Buffer;
  /** Where the SPA client (Swagger UI, the demo) may be sent back with a code. */
  redirectUris: string[];
  /** Where the private signing keys persist between starts. */
  keyFile: string;
  /** A second resource, the downstream API the notes API calls. Default `api://audit`. */
  downstreamAudience?: string;
  /** The token endpoint accepts DPoP proofs only with a nonce it gave (RFC 9449 §8). */
  requireDpopNonce?: boolean;
  /**
   * What access and ID tokens are signed with: RS256 (default), or an Ed25519 key as RFC 9864's
   * `Ed25519` or RFC 8037's `EdDSA`.
   */
  signingAlgorithm?: SigningAlgorithm;
  /**
   * The `aud` of the Security Event Tokens it sends the API's client (its SSF receiver). Default
   * `apiResource`, else `audience`.
   */
  ssfAudience?: string;
}

export interface DevIdentityProvider {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  serviceClient: { clientId: string; clientSecret: string };
  /** A client-credentials client whose tokens for the API are opaque (reference) tokens. */
  opaqueClient: { clientId: string; clientSecret: string };
  /** The API's own client, allowed to introspect tokens issued for it (RFC 7662). */
  introspectionClient: { clientId: string; clientSecret: string };
  introspectionEndpoint: string;
  /** RFC 7009: a client revokes its own tokens here. */
  revocationEndpoint: string;
  spaClientId: string;
  /** RFC 7591: where an MCP client registers itself (open registration: development only). */
  registrationEndpoint: string;
  users: readonly DemoUser[];
  downstreamAudience: string;
  /** Requests seen by the token and introspection endpoints, for tests of caching and single-flight. */
  readonly requests: { token: number; introspection: number };
  /**
   * The provider as an OpenID Shared Signals transmitter: `/.well-known/ssf-configuration`, streams,
   * push and poll delivery. Stream management takes a client-credentials token of
   * `introspectionClient` (the API's client) for `ssfResource`.
   */
  ssf: SsfTransmitter;
  ssfResource: string;
  /**
   * The secret of the admin endpoint (`POST /admin/ssf-events`, `Authorization: Bearer <it>`),
   * new at each start: the provider runs on the developer's machine only, but a page in its
   * browser must not revoke sessions by itself.
   */
  adminToken: string;
  /** CAEP session-revoked: one session of the user (`sid`), or all of them. */
  revokeSession(sub: string, sid?: string): Promise<void>;
  /** RISC account-disabled / account-enabled. */
  disableAccount(sub: string): Promise<void>;
  enableAccount(sub: string): Promise<void>;
  /** Signs with a new key from now on; the previous key stays published. */
  rotateSigningKey(): Promise<void>;
  close(): Promise<void>;
}

export const SERVICE_CLIENT = { clientId: 'notes-service', clientSecret: 'notes-service-secret' };
export const OPAQUE_CLIENT = {
  clientId: 'notes-reporting',
  clientSecret: 'notes-reporting-secret',
};
export const INTROSPECTION_CLIENT = { clientId: 'notes-api', clientSecret: 'notes-api-secret' };
export const SPA_CLIENT_ID = 'notes-spa';
const API_SCOPES = 'notes:read notes:write';
const MCP_SCOPES = API_SCOPES;
const DOWNSTREAM_SCOPES = 'audit:read';

interface SignInRecord {
  acr?: string;
  amr?: string[];
  authTime?: number;
}

/**
 * oidc-provider puts `acr`, `amr` and `auth_time` in ID tokens only; an API doing step-up
 * (RFC 9470) needs them in the access token. The code or refresh token being redeemed remembers the
 * sign-in, so a refreshed token keeps the original `auth_time`, as it must.
 */
function signInClaims(ctx: unknown): Record<string, unknown> {
  const entities = (ctx as { oidc?: { entities?: Record<string, SignInRecord | undefined> } })?.oidc
    ?.entities;
  const record = entities?.AuthorizationCode ?? entities?.RefreshToken;
  if (!record) return {};
  return {
    ...(record.acr && { acr: record.acr }),
    ...(record.amr && { amr: record.amr }),
    ...(record.authTime !== undefined && { auth_time: record.authTime }),
  };
}

function audienceOf(aud: string | string[] | undefined): readonly (string | undefined)[] {
  return Array.isArray(aud) ? aud : [aud];
}

const SSF_SCOPE = 'ssf';
const ssfResourceOf = (issuer: string) => `${issuer}/ssf`;

function configuration(
  options: DevIdentityProviderOptions & {
    downstreamAudience: string;
    signingAlgorithm: SigningAlgorithm;
    issuer: string;
  },
  jwks: PrivateJwks,
): Configuration {
  const origins = new Set(options.redirectUris.map((uri) => new URL(uri).origin));
  const apiIndicators = new Set([
    options.audience,
    ...(options.apiResource ? [options.apiResource] : []),
  ]);
  const scopeOf = (indicator: string): string | undefined => {
    if (apiIndicators.has(indicator)) return API_SCOPES;
    if (indicator === options.mcpResource) return MCP_SCOPES;
    if (indicator === options.downstreamAudience) return DOWNSTREAM_SCOPES;
    return undefined;
  };
  return {
    clients: [
      {
        client_id: SERVICE_CLIENT.clientId,
        client_secret: SERVICE_CLIENT.clientSecret,
        grant_types: ['client_credentials', TOKEN_EXCHANGE],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: OPAQUE_CLIENT.clientId,
        client_secret: OPAQUE_CLIENT.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: INTROSPECTION_CLIENT.clientId,
        client_secret: INTROSPECTION_CLIENT.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        // For the stream it receives security events on (SSF), nothing else.
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: SPA_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
      },
    ],
    // A client's registered `scope` is what it can use (RFC 7591 §2), not a limit on what it may
    // ask for later: an MCP client registers with what the first challenge named, and must still
    // be able to step up to a tool's scope. The user's consent decides.
    extraClientMetadata: {
      properties: ['scope'],
      validator(_ctx, key, _value, metadata) {
        if (key === 'scope') delete metadata.scope;
      },
    },
    // Every client's ID tokens too: the provider may hold no RSA key at all.
    clientDefaults: { id_token_signed_response_alg: options.signingAlgorithm },
    jwks: jwks as Configuration['jwks'],
    // Fixed keys are fine for a provider that only ever runs on the developer's machine.
    cookies: { keys: ['nest-oidc-auth-dev-idp-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    // The resources' scopes too: a client registering itself (RFC 7591, or by its metadata
    // document) may name them in its `scope`, which the provider checks against this list.
    scopes: [
      'openid',
      'profile',
      'email',
      'offline_access',
      ...new Set([...API_SCOPES.split(' '), ...DOWNSTREAM_SCOPES.split(' ')]),
    ],
    fetch: clientMetadataFetch(options.clientMetadataCa),
    // Advertised in discovery, so a client answering a step-up challenge knows it may ask for mfa.
    acrValues: ['mfa'],
    async findAccount(_ctx, id) {
      const user = findUser(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: user.name, email: user.email }),
      };
    },
    async extraTokenClaims(ctx, token) {
      const accountId = (token as { accountId?: string }).accountId;
      if (!accountId) return undefined;
      // The session's id as `sid`, so that a session-revoked event refuses that session's tokens.
      const sessionUid = (token as { sessionUid?: string }).sessionUid;
      return {
        roles: findUser(accountId)?.roles ?? [],
        ...(sessionUid && { sid: sessionUid }),
        ...signInClaims(ctx),
      };
    },
    // A proof with the token request binds the token to its key (RFC 9449 §5): `cnf.jkt` in the
    // JWT, token_type DPoP. Without a proof the token stays a bearer token.
    enabledJWA: {
      dPoPSigningAlgValues: ['ES256', 'ES384', 'ES512', 'PS256', 'Ed25519', 'EdDSA'],
    },
    features: {
      dPoP: {
        enabled: true,
        ...(options.requireDpopNonce && {
          nonceSecret: randomBytes(32),
          requireNonce: () => true,
        }),
      },
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // MCP clients register themselves: by dynamic registration (RFC 7591), open to anyone
      // here since the provider only ever runs on the developer's machine; or, as MCP's
      // 2026-07-28 revision recommends, with a client ID that is the https URL of their metadata
      // document, which the provider fetches. Both are public clients using PKCE.
      registration: { enabled: true },
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
      introspection: {
        enabled: true,
        // A token's own client may read it back; the API's client only tokens issued for the API.
        // Anyone else learns `active: false`, so that one client cannot probe another's tokens.
        allowedPolicy: (_ctx, client, token) =>
          client.clientId === token.clientId ||
          (client.clientId === INTROSPECTION_CLIENT.clientId &&
            token.kind !== 'RefreshToken' &&
            audienceOf(token.aud).some((aud) => aud !== undefined && apiIndicators.has(aud))),
      },
      // Only the client a token was issued to may revoke it.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => client.clientId === token.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          if (indicator === ssfResourceOf(options.issuer)) {
            if (client.clientId !== INTROSPECTION_CLIENT.clientId) throw new errors.InvalidTarget();
            // Opaque: the transmitter looks it up in the provider to know which receiver calls.
            return { scope: SSF_SCOPE, audience: indicator, accessTokenFormat: 'opaque' };
          }
          const scope = scopeOf(indicator);
          if (!scope) throw new errors.InvalidTarget();
          return {
            scope,
            audience: indicator,
            accessTokenTTL: 3600,
            // The reporting client stands for the many providers whose access tokens are
            // references the API must introspect (Hydra, ZITADEL, Keycloak and Okta on request).
            accessTokenFormat: client.clientId === OPAQUE_CLIENT.clientId ? 'opaque' : 'jwt',
            jwt: { sign: { alg: options.signingAlgorithm } },
          };
        },
      },
    },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === SPA_CLIENT_ID && origins.has(origin),
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error_description ?? out.error));
    },
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };
}

/**
 * A real OpenID provider (oidc-provider) for local development and tests, on 127.0.0.1: demo users,
 * a client-credentials service client and a PKCE public client.
 */
export async function startDevIdentityProvider(
  options: DevIdentityProviderOptions,
): Promise<DevIdentityProvider> {
  const host = options.host ?? '127.0.0.1';
  const downstreamAudience = options.downstreamAudience ?? 'api://audit';
  const signingAlgorithm = options.signingAlgorithm ?? 'RS256';
  let jwks = loadOrCreateSigningKeys(options.keyFile, signingAlgorithm);
  let issuer = `http://${host}:${options.port}`;
  const build = () => {
    const built = new Provider(
      issuer,
      configuration({ ...options, downstreamAudience, signingAlgorithm, issuer }, jwks),
    );
    registerTokenExchange(built, {
      issuer,
      audiences: [options.audience, ...(options.mcpResource ? [options.mcpResource] : [])],
      downstreamAudience,
      jwks,
    });
    // A user who signs out ends that session's tokens at every receiver.
    built.on('end_session.success', (ctx) => {
      const session = (ctx as { oidc?: { session?: { accountId?: string; uid?: string } } }).oidc
        ?.session;
      if (session?.accountId) void revokeSession(session.accountId, session.uid);
    });
    return built;
  };
  let provider: Provider;
  const adminToken = randomBytes(24).toString('base64url');
  const requests = { token: 0, introspection: 0 };
  const subjectOf = (sub: string) => ({ format: 'iss_sub', iss: issuer, sub });
  const revokeSession = (sub: string, sid?: string) =>
    ssf.emit(
      SESSION_REVOKED,
      sid
        ? { format: 'complex', user: subjectOf(sub), session: { format: 'opaque', id: sid } }
        : subjectOf(sub),
    );
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') requests.token += 1;
    if (req.method === 'POST' && req.url === '/token/introspection') requests.introspection += 1;
    if (req.url?.startsWith('/interaction/')) void handleInteraction(provider, req, res);
    else if (req.url === '/admin/ssf-events') void handleAdmin(req, res, adminToken, admin);
    else if (!ssf.handles(req, res)) provider.callback()(req, res);
  });
  const admin: Record<string, (sub: string, sid?: string) => Promise<void>> = {
    'session-revoked': revokeSession,
    'account-disabled': (sub) => ssf.emit(ACCOUNT_DISABLED, subjectOf(sub)),
    'account-enabled': (sub) => ssf.emit(ACCOUNT_ENABLED, subjectOf(sub)),
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  provider = build();
  const ssfResource = ssfResourceOf(issuer);
  // Used by the request handler above only once requests come, after this line has run.
  const ssf = new SsfTransmitter({
    issuer,
    jwksUri: `${issuer}/jwks`,
    signingKeys: () => jwks,
    audienceOf: () => options.ssfAudience ?? options.apiResource ?? options.audience,
    async authenticate(authorization) {
      const value = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      const token = value ? await provider.ClientCredentials.find(value) : undefined;
      if (!token || token.isExpired) return undefined;
      const scopes = String(token.scope ?? '').split(' ');
      return token.aud === ssfResource && scopes.includes(SSF_SCOPE) ? token.clientId : undefined;
    },
  });
  return {
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    serviceClient: SERVICE_CLIENT,
    opaqueClient: OPAQUE_CLIENT,
    introspectionClient: INTROSPECTION_CLIENT,
    introspectionEndpoint: `${issuer}/token/introspection`,
    revocationEndpoint: `${issuer}/token/revocation`,
    spaClientId: SPA_CLIENT_ID,
    registrationEndpoint: `${issuer}/reg`,
    users: DEMO_USERS,
    downstreamAudience,
    requests,
    ssf,
    ssfResource,
    adminToken,
    revokeSession,
    disableAccount: admin['account-disabled'],
    enableAccount: admin['account-enabled'],
    async rotateSigningKey() {
      jwks = rotateSigningKeys(options.keyFile, jwks);
      provider = build();
    },
    close() {
      ssf.close();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `POST /admin/ssf-events` with `{"event": "session-revoked" | "account-disabled" |
 * "account-enabled", "sub": "bob", "sid"?: "..."}` and the start's admin token: what an
 * administrator's console would do, as security events to every receiver.
 */
async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  adminToken: string,
  actions: Record<string, (sub: string, sid?: string) => Promise<void>>,
): Promise<void> {
  const answer = (status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${adminToken}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return answer(401, { error: 'invalid_token' });
  }
  if (req.method !== 'POST') return answer(405, { error: 'invalid_request' });
  let body: { event?: unknown; sub?: unknown; sid?: unknown };
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4096) return answer(413, { error: 'invalid_request' });
      chunks.push(chunk as Buffer);
    }
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
  } catch {
    return answer(400, { error: 'invalid_request', error_description: 'The body is not JSON' });
  }
  const action = typeof body?.event === 'string' ? actions[body.event] : undefined;
  if (!action || typeof body.sub !== 'string' || !findUser(body.sub)) {
    return answer(400, {
      error: 'invalid_request',
      error_description: `event must be one of ${Object.keys(actions).join(', ')}, sub a user`,
    });
  }
  if (body.sid !== undefined && typeof body.sid !== 'string') {
    return answer(400, { error: 'invalid_request', error_description: 'sid must be a string' });
  }
  await action(body.sub, body.sid as string | undefined);
  return answer(202);
}
