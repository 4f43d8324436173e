import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { SharedRevocations } from '../../core/revocation/shared-revocations.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { revocationSettingsOf } from '../options/revocation.options.js';

/**
 * Loads the shared revocation list before the application answers: `app.init()` (hence `listen`)
 * waits until it is read from the store, `revocation.replicas.loadTimeoutSeconds` at most; then
 * keeps it current until the application closes.
 */
@Injectable()
export class RevocationReplication implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OidcAuthRevocation');

  constructor(
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    @Optional() private readonly revocations?: SharedRevocations,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.revocations || !this.options.revocation) return;
    const { loadTimeoutMs, whenStale } = revocationSettingsOf(this.options.revocation).replicas;
    if (await this.revocations.start(loadTimeoutMs)) return;
    this.logger.error(
      `The revocation list could not be loaded from the store within ${loadTimeoutMs} ms: ${
        whenStale === 'refuse'
          ? 'tokens are answered 503 until it is'
          : 'tokens revoked on other replicas may be accepted until it is (whenStale: accept)'
      }`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.revocations?.stop();
  }
}
