import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { OpaqueTokenVerifier } from '../../core/opaque/opaque-token-verifier.js';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';

/**
 * Fetches every issuer's discovery document and keys (and finds its introspection endpoint, when
 * it introspects) while the application boots, so the first request does not pay for it. A failure is logged and retried on demand, unless `failOnStartup`.
 */
@Injectable()
export class OidcAuthWarmUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('OidcAuthModule');

  constructor(
    private readonly verifier: TokenVerifier,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    @Optional() private readonly opaque?: OpaqueTokenVerifier,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.warmUp === false) return;
    const keySets = this.verifier.issuers.flatMap((i) => (i.keySet ? [i.keySet] : []));
    const [introspection] = await Promise.all([
      this.opaque?.warmUp() ?? [],
      ...keySets.map((k) => k.warmUp()),
    ]);
    for (const { issuer, problem } of introspection) {
      const message = `Could not prepare token introspection at ${issuer}: ${problem}`;
      if (this.options.failOnStartup) throw new Error(`OidcAuthModule: ${message}`);
      this.logger.warn(
        `${message}. Opaque tokens are answered 503 until it works; retrying on demand.`,
      );
    }
    for (const keySet of keySets) {
      const status = keySet.status();
      if (status.loaded) continue;
      const message = `Could not load the signing keys of ${keySet.issuer}: ${status.lastError}`;
      if (this.options.failOnStartup) throw new Error(`OidcAuthModule: ${message}`);
      this.logger.warn(
        `${message}. Requests are answered 503 until they load; retrying on demand.`,
      );
    }
  }
}
