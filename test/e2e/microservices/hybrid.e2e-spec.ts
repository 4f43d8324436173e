import { Controller, Get, type INestApplication } from '@nestjs/common';
import {
  type ClientProxy,
  ClientProxyFactory,
  MessagePattern,
  type MicroserviceOptions,
  Transport,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import { type AuthEvent, OidcAuthEvents, OidcAuthModule, Scopes } from '../../../lib/index.js';
import { freePort } from '../../support/free-port.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

// A class per application: the module adds its guard to the handlers' metadata, and a class shared
// with an earlier application would carry it into Nest's scan of the next one, hiding whether the
// module binds its guard by itself.
function notesController() {
  @Controller('notes')
  class NotesController {
    @Scopes('notes:read')
    @Get()
    list() {
      return [];
    }

    @Scopes('notes:read')
    @MessagePattern('notes.list')
    listOverTcp() {
      return [];
    }
  }
  return NotesController;
}

// Without inheritAppConfig Nest gives the microservice none of the application's global guards;
// the module then binds its guard to the message handlers itself.
describe.each([true, false])('a hybrid application (inheritAppConfig: %s)', (inheritAppConfig) => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  let client: ClientProxy;

  beforeAll(async () => {
    const port = await freePort();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(issuer),
        }),
      ],
      controllers: [notesController()],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    app.connectMicroservice<MicroserviceOptions>(
      { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
      { inheritAppConfig },
    );
    await app.startAllMicroservices();
    await app.init();
    client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
  });

  afterAll(async () => {
    client.close();
    await app.close();
  });

  it('guards the HTTP routes and the message handlers, deciding each call once', async () => {
    const events: AuthEvent[] = [];
    const subscription = app.get(OidcAuthEvents).events$.subscribe((e) => events.push(e));
    expect((await request(app.getHttpServer()).get('/notes')).status).toBe(401);
    const refused = await firstValueFrom(client.send('notes.list', {})).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 401, error: 'unauthorized' });
    const authorization = `Bearer ${await issuer.mintToken({ scopes: ['notes:read'] })}`;
    expect(await firstValueFrom(client.send('notes.list', { authorization }))).toEqual([]);
    subscription.unsubscribe();
    expect(events.map((e) => `${e.outcome} ${e.route}`)).toEqual([
      'refused GET /notes',
      'refused rpc notes.list',
      'allowed rpc notes.list',
    ]);
  });
});
