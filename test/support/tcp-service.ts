import type { INestMicroservice, LoggerService, Type } from '@nestjs/common';
import {
  type ClientProxy,
  ClientProxyFactory,
  type MicroserviceOptions,
  Transport,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { OidcAuthModule } from '../../lib/index.js';
import { freePort } from './free-port.js';

export interface TcpService {
  service: INestMicroservice;
  /** Connected to `service`. */
  client: ClientProxy;
  port: number;
  close(): Promise<void>;
}

/** A microservice of `controllers` behind the module, over TCP on 127.0.0.1, with a client. */
export async function tcpService(
  options: Parameters<typeof OidcAuthModule.forRoot>[0],
  controllers: Type[],
  logger: LoggerService | false = false,
): Promise<TcpService> {
  const port = await freePort();
  const ref = await Test.createTestingModule({
    imports: [OidcAuthModule.forRoot(options)],
    controllers,
  }).compile();
  const service = ref.createNestMicroservice<MicroserviceOptions>({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
    logger,
  });
  await service.listen();
  const client = ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
  });
  await client.connect();
  return {
    service,
    client,
    port,
    async close() {
      client.close();
      await service.close();
    },
  };
}
