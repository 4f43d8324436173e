import { type DynamicModule, Module } from '@nestjs/common';
import { type IssuerOptions, OidcAuthModule } from '../../lib/index.js';
import { HealthController } from './health/health.controller.js';
import { NotesController } from './notes/notes.controller.js';
import { NotesService } from './notes/notes.service.js';

@Module({})
export class AppModule {
  static forIssuers(issuers: IssuerOptions[]): DynamicModule {
    return {
      module: AppModule,
      imports: [OidcAuthModule.forRoot({ issuers, realm: 'notes' })],
      controllers: [HealthController, NotesController],
      providers: [NotesService],
    };
  }
}
