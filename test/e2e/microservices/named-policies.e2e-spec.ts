import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { Policy } from '../../../lib/index.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { tcpService } from '../../support/tcp-service.js';
import { trusted } from '../../support/trusted.js';
import { refusalError } from '../../support/refusals.js';

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
  const tcp = suiteFixture(
    () =>
      tcpService(
        {
          issuers: trusted(issuer),
          policies: {
            // A message's payload is the call: the policy reads the tenant it addresses.
            sameTenant: async (principal, context) =>
              context.switchToRpc().getData<{ tenant?: string }>().tenant ===
              principal.claims.tenant,
          },
        },
        [TenantHandlers],
      ),
    (t) => t.close(),
  );

  async function send(tenant: string): Promise<unknown> {
    const authorization = `Bearer ${await issuer.mint({ sub: 'bob', tenant: 'acme' })}`;
    return firstValueFrom(tcp.client.send('tenant.notes', { authorization, tenant })).catch(
      (err: unknown) => ({ refused: err }),
    );
  }

  it('answers a message its async policy grants, and refuses one it denies with a 403 error', async () => {
    expect(await send('acme')).toEqual({ notes: [] });
    expect(await send('globex')).toEqual({
      refused: refusalError(
        403,
        'insufficient_scope',
        'The policy sameTenant denied access to this resource',
      ),
    });
  });
});
