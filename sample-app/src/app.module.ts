import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OidcAuthHealthIndicator } from '../../lib/health/index.js';
import { type IssuerOptions, OidcAuthModule } from '../../lib/index.js';
import { HealthController } from './health/health.controller.js';
import { NotesController } from './notes/notes.controller.js';
import { NotesService } from './notes/notes.service.js';

@Module({})
export class AppModule {
  /** `resource` is the API's own URL, published in its RFC 9728 metadata. */
  static forIssuers(issuers: IssuerOptions[], resource: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        OidcAuthModule.forRoot({ issuers, realm: 'notes', protectedResource: { resource } }),
        TerminusModule,
      ],
      controllers: [HealthController, NotesController],
      providers: [NotesService, OidcAuthHealthIndicator],
    };
  }
}
