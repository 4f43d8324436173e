import type {
  INestApplication,
  LoggerService,
  NestApplicationOptions,
  Provider,
  WebSocketAdapter,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { OidcAuthModule } from '../../lib/index.js';

/** An app serving the `gateways` through `adapter`, listening on 127.0.0.1; its URL without path. */
export async function gatewayAppOf(
  options: Parameters<typeof OidcAuthModule.forRoot>[0],
  gateways: Provider[],
  adapter: (app: INestApplication) => WebSocketAdapter,
  logger: LoggerService | false = false,
  httpsOptions?: NestApplicationOptions['httpsOptions'],
): Promise<{ app: INestApplication; url: string }> {
  const ref = await Test.createTestingModule({
    imports: [OidcAuthModule.forRoot(options)],
    providers: gateways,
  }).compile();
  const app = ref.createNestApplication({ logger, httpsOptions });
  app.useWebSocketAdapter(adapter(app));
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}
