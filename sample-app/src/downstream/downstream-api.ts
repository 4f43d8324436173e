import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OidcAuthModule, oidc } from '../../../lib/index.js';
import { AuditController } from './audit.controller.js';

/**
 * A second API ("audit"), in its own Nest application on its own port, trusting the same issuer
 * for its own audience: what the notes API calls as itself and on behalf of its users.
 */
export async function startDownstreamApi(options: {
  issuer: string;
  audience: string;
  port: number;
  host: string;
  quiet: boolean;
}): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [
      OidcAuthModule.forRoot({
        issuers: [oidc({ issuer: options.issuer, audience: options.audience })],
        realm: 'audit',
        audit: { log: false },
      }),
    ],
    controllers: [AuditController],
  })
  class DownstreamModule {}
  const app = await NestFactory.create(DownstreamModule, {
    logger: options.quiet ? ['error'] : ['warn', 'error'],
  });
  await app.listen(options.port, options.host);
  return { app, url: `http://${options.host}:${options.port}` };
}
