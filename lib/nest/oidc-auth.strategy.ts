import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { extractBearerToken } from '../protocol/bearer-token.js';
import { OidcAuthError } from '../protocol/errors.js';
import type { JwtClaims } from '../verification/claims.js';
import type { OidcPrincipal } from '../verification/principal.js';
import { TokenVerifier } from '../verification/token-verifier.js';

export const OIDC_AUTH_STRATEGY = 'oidc-auth';

type KeyCallback = (err: unknown, key?: string | Buffer) => void;

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
 * passport-jwt with keys from the trusted issuers' JWKS, for applications that compose passport
 * strategies themselves (`AuthGuard(['oidc-auth', 'api-key'])`). `TokenVerifier` checks the header
 * and picks the key before passport-jwt's signature check, and checks the claims after.
 * `OidcAuthGuard` runs the same verifier without passport's per-request machinery, and adds the
 * RFC 6750 answers and route policy.
 */
@Injectable()
export class OidcAuthStrategy extends PassportStrategy(Strategy, OIDC_AUTH_STRATEGY) {
  constructor(private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: strategyToken,
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: KeyCallback) => {
        verifier.resolveKey(rawToken).then(
          // jsonwebtoken accepts node:crypto KeyObjects; the typings only list strings and buffers.
          (resolution) => done(null, resolution.key as unknown as Buffer),
          done,
        );
      },
      algorithms: verifier.algorithms,
      jsonWebTokenOptions: { clockTolerance: verifier.clockToleranceSeconds },
    });
  }

  validate(claims: JwtClaims): OidcPrincipal {
    try {
      return this.verifier.checkClaims(claims, this.verifier.registry.select(claims));
    } catch (err) {
      // passport treats a thrown error as a server fault; a refused token is a 401.
      if (err instanceof OidcAuthError) throw new UnauthorizedException(err.message);
      throw err;
    }
  }
}
