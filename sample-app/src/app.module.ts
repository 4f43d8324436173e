import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OidcAuthHealthIndicator } from '../../lib/health/index.js';
import { type IssuerOptions, OidcAuthModule } from '../../lib/index.js';
import {
  DOWNSTREAM,
  DownstreamController,
  type DownstreamSettings,
} from './downstream/downstream.controller.js';
import { HealthController } from './health/health.controller.js';
import { NotesController } from './notes/notes.controller.js';
import { NotesGateway } from './notes/notes.gateway.js';
import { NotesService } from './notes/notes.service.js';

@Module({})
export class AppModule {
  /**
   * `resource` is the API's own URL, published in its RFC 9728 metadata; `downstream`, when the
   * provider can exchange tokens, adds the routes that call the audit API.
   */
  static forIssuers(
    issuers: IssuerOptions[],
    resource: string,
    downstream?: DownstreamSettings,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        OidcAuthModule.forRoot({ issuers, realm: 'notes', protectedResource: { resource } }),
        TerminusModule,
      ],
      controllers: [
        HealthController,
        NotesController,
        ...(downstream ? [DownstreamController] : []),
      ],
      providers: [
        NotesService,
        NotesGateway,
        OidcAuthHealthIndicator,
        ...(downstream ? [{ provide: DOWNSTREAM, useValue: downstream }] : []),
      ],
    };
  }
}
