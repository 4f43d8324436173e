import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { createLocalJWKSet, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { PrivateJwks } from './signing-keys.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const DOWNSTREAM_SCOPES = new Set(['audit:read']);

interface ExchangeSettings {
  issuer: string;
  /** Tokens of these audiences (the notes API's, its MCP server's) may be exchanged... */
  audiences: string[];
  /** ...for tokens of this one (the downstream API's). */
  downstreamAudience: string;
  jwks: PrivateJwks;
}

/**
 * RFC 8693 token exchange on the embedded provider: a confidential client presents a user's access
 * token for the notes API (REST or MCP) and receives one for the downstream API that still names the user
 * (`sub`) and records the client as the actor (`act`), as Entra's on-behalf-of flow does.
 */
export function registerTokenExchange(provider: Provider, settings: ExchangeSettings): void {
  const [signing] = settings.jwks.keys;
  const alg = String(signing.alg);
  const privateKey = createPrivateKey({ key: signing as never, format: 'jwk' });
  // The provider's own keys, public halves, with the algorithm each is published for.
  const publicKeys = createLocalJWKSet({
    keys: settings.jwks.keys.map((k) => ({
      ...createPublicKey({ key: k as never, format: 'jwk' }).export({ format: 'jwk' }),
      kid: k.kid,
      alg: k.alg as string,
    })),
  });

  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const params = ctx.oidc.params as Record<string, string | undefined>;
      const client = ctx.oidc.client!;
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
        throw new errors.InvalidRequest('subject_token_type must be an access token');
      }
      let subject: JWTPayload;
      try {
        ({ payload: subject } = await jwtVerify(params.subject_token ?? '', publicKeys, {
          issuer: settings.issuer,
          audience: settings.audiences,
          algorithms: [...new Set(settings.jwks.keys.map((k) => String(k.alg)))],
        }));
      } catch {
        throw new errors.InvalidGrant('subject_token is not a valid access token of this issuer');
      }
      if (params.resource !== settings.downstreamAudience) throw new errors.InvalidTarget();
      const scopes = (params.scope ?? '').split(' ').filter(Boolean);
      if (scopes.length === 0 || scopes.some((s) => !DOWNSTREAM_SCOPES.has(s))) {
        throw new errors.InvalidScope('requested scope is not allowed', params.scope ?? '');
      }
      const expiresIn = 3600;
      const now = Math.floor(Date.now() / 1000);
      const accessToken = await new SignJWT({
        sub: subject.sub,
        client_id: client.clientId,
        scope: scopes.join(' '),
        roles: subject.roles,
        act: { sub: client.clientId },
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg, typ: 'at+jwt', kid: signing.kid })
        .setIssuer(settings.issuer)
        .setAudience(settings.downstreamAudience)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(privateKey);
      ctx.body = {
        access_token: accessToken,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope: scopes.join(' '),
      };
    },
    new Set([
      'subject_token',
      'subject_token_type',
      'requested_token_type',
      'scope',
      'resource',
      'audience',
    ]),
  );
}
