import { discoverEndpoint } from '../../protocol/http/discovery.js';
import {
  IntrospectionClientRefusedError,
  IntrospectionUnavailableError,
  OidcAuthError,
} from '../../protocol/errors/errors.js';
import { type FetchJsonOptions, IssuerFetchError } from '../../protocol/http/fetch-json.js';
import {
  basicAuthorization,
  INTROSPECTION_JWT_TYPE,
  postIntrospection,
} from '../../protocol/introspection/introspection-request.js';
import { audienceList, type JwtClaims, objectClaim } from '../claims/claims.js';
import { CLIENT_ASSERTION_TYPE, signClientAssertion } from '../introspection/client-assertion.js';
import type {
  ClientAuthentication,
  IntrospectionSettings,
} from '../introspection/introspection-settings.js';
import type { IntrospectionResult, Introspector } from '../introspection/introspector.js';
import type { TrustedIssuer } from '../issuers/trusted-issuer.js';

/** How long clients are told to wait after an outage; the next request asks the endpoint again. */
export const INTROSPECTION_RETRY_AFTER_SECONDS = 5;

export interface Rfc7662IntrospectorOptions {
  /** The issuer, with its checked `introspection` settings (client authentication included). */
  issuer: TrustedIssuer;
  /** Verifies an RFC 9701 response's signature with the issuer's key set; see `TokenVerifier`. */
  verifySignature: (jwt: string, issuer: TrustedIssuer, typ: string) => Promise<JwtClaims>;
  /** Size bound of the discovery document (its timeout is the introspection `timeoutMs`). */
  discoveryFetch: FetchJsonOptions;
  clockToleranceSeconds: number;
  now?: () => number;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    return objectClaim(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * OAuth 2.0 Token Introspection (RFC 7662) with this API's own client credentials, and RFC 9701
 * signed responses verified with the issuer's key set. Whatever keeps it from getting a usable
 * answer is an `IntrospectionUnavailableError` (503), never a refusal of the token.
 */
export class Rfc7662Introspector implements Introspector {
  private readonly settings: IntrospectionSettings;
  private readonly client: ClientAuthentication;
  private readonly now: () => number;
  private endpoint?: Promise<string>;

  constructor(private readonly options: Rfc7662IntrospectorOptions) {
    this.settings = options.issuer.introspection!;
    this.client = this.settings.client!;
    if (this.settings.endpoint) this.endpoint = Promise.resolve(this.settings.endpoint);
    this.now = options.now ?? Date.now;
  }

  /** Discovers the endpoint ahead of the first token (at startup); rejects with why it cannot. */
  async prepare(): Promise<void> {
    await this.endpointOf();
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    const endpoint = await this.endpointOf();
    const { form, authorization } = this.authenticated();
    form.set('token', token);
    form.set('token_type_hint', 'access_token');
    let answer;
    try {
      answer = await postIntrospection({
        endpoint,
        form,
        authorization,
        signed: this.settings.signedResponse,
        timeoutMs: this.settings.timeoutMs,
        maxBytes: this.settings.maxBytes,
      });
    } catch (err) {
      throw this.unavailable(err instanceof IssuerFetchError ? err.detail : String(err));
    }
    // RFC 6749 §5.2 lets an endpoint answer invalid_client with 400 as well as 401.
    if (answer.status === 401 || answer.status === 403 || answer.error === 'invalid_client') {
      throw new IntrospectionClientRefusedError(
        this.options.issuer.issuer,
        INTROSPECTION_RETRY_AFTER_SECONDS,
        answer.status,
        answer.error,
      );
    }
    if (answer.status !== 200) throw this.unavailable(`HTTP ${answer.status}`);
    const response = await this.responseOf(answer.type, answer.body);
    return response.active === true ? { active: true, claims: response } : { active: false };
  }

  // One discovery for all concurrent requests; a failed one is tried again by the next request.
  private endpointOf(): Promise<string> {
    this.endpoint ??= discoverEndpoint(this.settings.discovery, 'introspection_endpoint', {
      timeoutMs: this.settings.timeoutMs,
      maxBytes: this.options.discoveryFetch.maxBytes,
    }).catch((err: unknown) => {
      this.endpoint = undefined;
      throw this.unavailable(
        `discovering the introspection endpoint failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return this.endpoint;
  }

  private authenticated(): { form: URLSearchParams; authorization?: string } {
    const client = this.client;
    const form = new URLSearchParams();
    switch (client.method) {
      case 'client_secret_basic':
        return { form, authorization: basicAuthorization(client.clientId, client.clientSecret) };
      case 'client_secret_post':
        form.set('client_id', client.clientId);
        form.set('client_secret', client.clientSecret);
        return { form };
      case 'private_key_jwt':
        form.set('client_id', client.clientId);
        form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
        form.set(
          'client_assertion',
          signClientAssertion({
            clientId: client.clientId,
            audience: client.audience ?? this.options.issuer.issuer,
            key: client.key,
            algorithm: client.algorithm,
            kid: client.kid,
            nowSeconds: this.now() / 1000,
          }),
        );
        return { form };
      case 'none':
        form.set('client_id', client.clientId);
        return { form };
    }
  }

  private async responseOf(type: string, body: string): Promise<Record<string, unknown>> {
    if (type === INTROSPECTION_JWT_TYPE) return this.verifiedResponse(body.trim());
    if (this.settings.signedResponse) {
      throw this.unavailable(
        `the answer is ${type || 'untyped'}, not a signed response (RFC 9701)`,
      );
    }
    if (type !== 'application/json') {
      throw this.unavailable(`the answer is ${type || 'untyped'}, not application/json`);
    }
    const response = parseObject(body);
    if (!response) throw this.unavailable('the answer is not a JSON object');
    return response;
  }

  /** RFC 9701 §5: the signed response, checked before anything in it is believed. */
  private async verifiedResponse(jwt: string): Promise<Record<string, unknown>> {
    const issuer = this.options.issuer;
    let claims: JwtClaims;
    try {
      claims = await this.options.verifySignature(jwt, issuer, 'token-introspection+jwt');
    } catch (err) {
      const why = err instanceof OidcAuthError ? `${err.reason}: ${err.message}` : String(err);
      throw this.unavailable(`the signed response was refused (${why})`);
    }
    const nowSeconds = this.now() / 1000;
    const tolerance = this.options.clockToleranceSeconds;
    const problem =
      claims.iss !== issuer.issuer
        ? 'its iss is not the issuer'
        : !audienceList(claims.aud)?.includes(this.client.clientId)
          ? 'its aud is not this API'
          : typeof claims.iat !== 'number' || claims.iat - tolerance > nowSeconds
            ? 'its iat is missing or in the future'
            : claims.exp !== undefined &&
                (typeof claims.exp !== 'number' || claims.exp + tolerance <= nowSeconds)
              ? 'it expired'
              : undefined;
    if (problem) throw this.unavailable(`the signed response was refused: ${problem}`);
    const response = objectClaim(claims.token_introspection);
    if (!response) {
      throw this.unavailable('the signed response has no token_introspection object');
    }
    return response;
  }

  private unavailable(detail: string): IntrospectionUnavailableError {
    return new IntrospectionUnavailableError(
      this.options.issuer.issuer,
      INTROSPECTION_RETRY_AFTER_SECONDS,
      detail,
    );
  }
}
