import { Controller, type INestMicroservice } from '@nestjs/common';
import {
  type ClientProxy,
  ClientProxyFactory,
  MessagePattern,
  type MicroserviceOptions,
  Transport,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { OidcAuthModule, Policy } from '../../../lib/index.js';
import { freePort } from '../../support/free-port.js';
import { suiteIssuer } from '../../support/suite-fixture.js';

const HOST = '127.0.0.1';

@Controller()
class TenantHandlers {
  @Policy('sameTenant')
  @MessagePattern('tenant.notes')
  notes(): { notes: unknown[] } {
    return { notes: [] };
  }
}

describe('named policies on microservice handlers (TCP)', () => {
  const issuer = suiteIssuer();
  let service: INestMicroservice;
  let client: ClientProxy;

  beforeAll(async () => {
    const port = await freePort();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
          policies: {
            // A message's payload is the call: the policy reads the tenant it addresses.
            sameTenant: async (principal, context) =>
              context.switchToRpc().getData<{ tenant?: string }>().tenant ===
              principal.claims.tenant,
          },
        }),
      ],
      controllers: [TenantHandlers],
    }).compile();
    service = ref.createNestMicroservice<MicroserviceOptions>({
      transport: Transport.TCP,
      options: { host: HOST, port },
      logger: false,
    });
    await service.listen();
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: HOST, port } });
    await client.connect();
  });

  afterAll(async () => {
    client.close();
    await service.close();
  });

  async function send(tenant: string): Promise<unknown> {
    const authorization = `Bearer ${await issuer.mint({ sub: 'bob', tenant: 'acme' })}`;
    return firstValueFrom(client.send('tenant.notes', { authorization, tenant })).catch(
      (err: unknown) => ({ refused: err }),
    );
  }

  it('answers a message its async policy grants, and refuses one it denies with a 403 error', async () => {
    expect(await send('acme')).toEqual({ notes: [] });
    expect(await send('globex')).toEqual({
      refused: {
        status: 'error',
        statusCode: 403,
        error: 'insufficient_scope',
        message: 'The policy sameTenant denied access to this resource',
      },
    });
  });
});
