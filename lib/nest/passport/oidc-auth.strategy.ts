import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type StrategyOptions } from 'passport-jwt';
import { extractBearerToken } from '../../protocol/bearer/bearer-token.js';
import { OidcAuthError } from '../../protocol/errors/errors.js';
import { verifyCertificateBinding } from '../../core/mtls/certificate-binding.js';
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  familyOf,
  SYMMETRIC_ALGORITHMS,
} from '../../core/jose/algorithms.js';
import { clockToleranceOf } from '../../core/jwt/create-verifier.js';
import { boundThumbprint } from '../../core/dpop/dpop-proof.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import { TokenVerifier, type VerifiedToken } from '../../core/jwt/token-verifier.js';
import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import { certificateReader } from '../options/mtls.options.js';
import { OidcAuthenticator } from '../authentication/oidc-authenticator.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { bindAuthentication } from '../transports/call-authentications.js';
import type { Authentication } from '../transports/transport.js';

export const OIDC_AUTH_STRATEGY = 'oidc-auth';

type KeyCallback = (err: unknown, key?: string | Buffer) => void;

// What the core verified, carried from `authenticate` to the key provider and `validate`.
const VERIFIED = Symbol('nest-oidc-auth.passport.principal');
type Carrier = CertificateCarrier & {
  [VERIFIED]?: { token: VerifiedToken; authentication: Authentication };
};

type PassportRequest = Parameters<Strategy['authenticate']>[0];

/** What passport gives a strategy for one request (passport's `Strategy` augmented). */
interface PassportActions {
  success(user: unknown): void;
  fail(challenge?: unknown): void;
}

/** The algorithms jsonwebtoken implements: it has no EdDSA (RFC 8037) and no RFC 9864 names. */
function jsonwebtokenChecks(algorithm: Algorithm): boolean {
  return familyOf(algorithm) !== 'eddsa';
}

/**
 * The request's bearer token under the guard's rules (one well-formed header, at most
 * `MAX_BEARER_TOKEN_LENGTH` long), or nothing, which passport answers with a 401 and other
 * strategies of the composition may still accept.
 */
export function strategyToken(request: {
  headers?: Record<string, string | string[] | undefined>;
}): string | null {
  try {
    return extractBearerToken({
      authorization: request.headers?.authorization,
      query: undefined,
      allowQuery: false,
    });
  } catch (err) {
    if (err instanceof OidcAuthError) return null;
    throw err;
  }
}

/**
 * passport-jwt over the core, for applications that compose passport strategies themselves
 * (`AuthGuard(['oidc-auth', 'api-key'])`). The core verifies the token completely (header, key,
 * signature, claims) before passport-jwt sees a key; jsonwebtoken's check that follows repeats the
 * signature check with that same key, so nothing it decides can accept what the core refused.
 * EdDSA tokens, which jsonwebtoken cannot check, end with the core's verification. A refusal from
 * the core is passport's `fail` (401). `OidcAuthGuard` runs the same core without passport's
 * per-request machinery, and adds the RFC 6750 answers; route policy applies on both.
 */
@Injectable()
export class OidcAuthStrategy extends PassportStrategy(Strategy, OIDC_AUTH_STRATEGY) {
  private readonly certificates: ReturnType<typeof certificateReader>;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly authenticator: OidcAuthenticator,
    @Inject(OIDC_AUTH_OPTIONS) options: OidcAuthModuleOptions,
  ) {
    super({
      jwtFromRequest: strategyToken,
      passReqToCallback: true,
      secretOrKeyProvider: (request: Carrier, _rawToken: string, done: KeyCallback) => {
        // jsonwebtoken accepts node:crypto KeyObjects; the typings only list strings and buffers.
        done(null, request[VERIFIED]?.token.key as unknown as Buffer);
      },
      // Resolved issuers may use any algorithm; the core has checked each issuer's own list already.
      algorithms: (options.issuerResolver
        ? [...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS]
        : [...new Set(verifier.issuers.flatMap((i) => [...i.algorithms]))]
      ).filter(jsonwebtokenChecks) as StrategyOptions['algorithms'],
      jsonWebTokenOptions: { clockTolerance: clockToleranceOf(options) },
    });
    this.certificates = certificateReader(options.mtls);
  }

  /**
   * Runs the core on the request's token first. Then passport-jwt's own flow (extraction, key,
   * jsonwebtoken, `validate`), with the key the core chose; for an EdDSA token, `validate` at once.
   * `this` is passport's per-request copy of the strategy, with its `success` and `fail`.
   */
  override authenticate(req: PassportRequest, options?: object): void {
    // Express or Fastify's request alike: only its headers and connection are read.
    const request = req as unknown as Carrier;
    const rawToken = strategyToken(request);
    if (rawToken === null) return super.authenticate(req, options);
    const actions = this as unknown as PassportActions;
    this.verifier
      .verify(rawToken)
      .then((token) => {
        // Refuses a certificate-bound token without its certificate: passport's `fail`.
        verifyCertificateBinding(token.principal.claims, () => this.certificates(request));
        return token;
      })
      .then(
        (token) => {
          const authentication = this.authenticator.authenticationOf(rawToken, token.principal);
          request[VERIFIED] = { token, authentication };
          if (jsonwebtokenChecks(token.algorithm)) return super.authenticate(req, options);
          const principal = this.validate(request);
          return principal ? actions.success(principal) : actions.fail();
        },
        (err: unknown) => actions.fail(err),
      );
  }

  /**
   * Binds the call's authentication where the guard looks for it: `OidcAuthGuard`, which the
   * module binds after this strategy on routes with a policy (`PassportRoutePolicy`), then only
   * enforces that policy.
   */
  validate(request: Carrier): OidcPrincipal | false {
    const authentication = request[VERIFIED]?.authentication;
    // A DPoP-bound token needs a proof, which this strategy does not read: no Bearer downgrade.
    if (!authentication || boundThumbprint(authentication.principal.claims) !== undefined) {
      return false;
    }
    bindAuthentication(request, authentication);
    return authentication.principal;
  }
}
