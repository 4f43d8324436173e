import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type OidcAuthModuleOptions } from '../../lib/index.js';
import { requestingClientCertificates, type TestPki } from './certificates.js';
import { type Platform, testControllersModule } from './test-app.js';

/**
 * The test controllers behind the module over https on 127.0.0.1, asking every client for a
 * certificate of `pki` (not requiring one); the app and its base URL.
 */
export async function httpsTestApp(
  platform: Platform,
  options: OidcAuthModuleOptions,
  pki: TestPki,
): Promise<{ app: INestApplication; url: string }> {
  const ref = await testControllersModule(options);
  // Above Node's default 16 KiB, so that the module's own bound on the certificate header shows.
  const https = { ...requestingClientCertificates(pki), maxHeaderSize: 64 * 1024 };
  const app =
    platform === 'fastify'
      ? ref.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ https }), {
          logger: false,
        })
      : ref.createNestApplication({ httpsOptions: https, logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, url: `https://127.0.0.1:${port}` };
}
