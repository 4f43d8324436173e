import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { InvalidTokenError } from '../protocol/errors.js';
import { type JwtClaims } from '../verification/claims.js';
import { OidcPrincipal } from '../verification/principal.js';
import { type KeyResolution, TokenVerifier } from '../verification/token-verifier.js';
import { requestResolution, requestToken, setRequestResolution } from './request-token.js';

export const OIDC_AUTH_STRATEGY = 'oidc-auth';

type KeyCallback = (err: unknown, key?: string | Buffer) => void;

/**
 * passport-jwt with keys from the trusted issuer's JWKS: `TokenVerifier` picks and checks the key
 * before jsonwebtoken verifies the signature, and checks the claims after.
 */
@Injectable()
export class OidcAuthStrategy extends PassportStrategy(Strategy, OIDC_AUTH_STRATEGY) {
  constructor(private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: (request: object) => requestToken(request) ?? null,
      secretOrKeyProvider: (request: object, rawToken: string, done: KeyCallback) => {
        verifier.resolveKey(rawToken).then((resolution) => {
          setRequestResolution(request, resolution);
          // jsonwebtoken accepts node:crypto KeyObjects; the typings only list strings and buffers.
          done(null, resolution.key as unknown as Buffer);
        }, done);
      },
      algorithms: verifier.algorithms,
      jsonWebTokenOptions: { clockTolerance: verifier.clockToleranceSeconds },
      passReqToCallback: true,
    });
  }

  validate(request: object, claims: JwtClaims): OidcPrincipal {
    const resolution = requestResolution<KeyResolution>(request);
    if (!resolution)
      throw new InvalidTokenError('malformed_token', 'The token could not be verified');
    return this.verifier.checkClaims(claims, resolution.issuer);
  }
}
