import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { OidcAuthError } from '../protocol/errors.js';
import type { JwtClaims } from '../verification/claims.js';
import type { OidcPrincipal } from '../verification/principal.js';
import { TokenVerifier } from '../verification/token-verifier.js';

export const OIDC_AUTH_STRATEGY = 'oidc-auth';

type KeyCallback = (err: unknown, key?: string | Buffer) => void;

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
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
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
