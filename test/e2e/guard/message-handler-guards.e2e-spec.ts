import { Controller, type INestApplication, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GuardsContextCreator } from '@nestjs/core/guards/guards-context-creator.js';
import type { NestContainer } from '@nestjs/core/injector/container.js';
import { MessagePattern } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { askGateway, openWebSocket } from '../../support/ws-client.js';
import {
  type AuthEvent,
  OidcAuthEvents,
  OidcAuthGuard,
  OidcAuthModule,
  Policy,
} from '../../../lib/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

type Handlers = Record<string, (...args: unknown[]) => unknown>;

// Classes are made per test: the module adds its guard to the handlers' metadata, and a class that
// an earlier application carried it into would pass whether or not the module binds the guard itself.
function gatewayClasses() {
  @WebSocketGateway({ path: '/ws' })
  class BaseGateway {
    @SubscribeMessage('inherited')
    inherited() {
      return { event: 'inherited', data: true };
    }
  }
  @WebSocketGateway({ path: '/ws' })
  class Gateway extends BaseGateway {
    @Policy('granted')
    @SubscribeMessage('own')
    own() {
      return { event: 'own', data: true };
    }
  }
  return Gateway;
}

function patternControllers() {
  class BaseController {
    @MessagePattern('inherited')
    inherited() {
      return true;
    }
  }
  @Controller()
  class PatternController extends BaseController {
    @MessagePattern('own')
    own() {
      return true;
    }
  }
  return PatternController;
}

describe('the guard the module binds to message handlers', () => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  let policyRuns = 0;

  afterEach(() => app.close());

  async function start(providers: Type[], controllers: Type[]): Promise<void> {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(issuer),
          policies: { granted: () => ++policyRuns > 0 },
        }),
      ],
      providers,
      controllers,
    }).compile();
    app = ref.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new OidcWsAdapter(app));
    await app.listen(0, '127.0.0.1');
  }

  /**
   * The guards Nest builds for a handler where it applies no global guard (gateways on Nest 11, a
   * hybrid application's microservice without `inheritAppConfig`): only the handler's own, looked
   * up among the injectables of the handler's module.
   */
  function handlerGuards(type: Type, method: string): unknown[] {
    const modules = app.get(ModulesContainer);
    const [moduleKey] = [...modules].find(
      ([, module]) => module.providers.has(type) || module.controllers.has(type),
    )!;
    const container = { getModules: () => modules } as unknown as NestContainer;
    const instance = app.get<Handlers>(type);
    return new GuardsContextCreator(container).create(instance, instance[method], moduleKey);
  }

  it("is this application's guard on gateway handlers, own and inherited", async () => {
    const gateway = gatewayClasses();
    await start([gateway], []);
    const guard = app.get(OidcAuthGuard);
    expect(handlerGuards(gateway, 'own')).toEqual([guard]);
    expect(handlerGuards(gateway, 'own')[0]).toBe(guard);
    expect(handlerGuards(gateway, 'inherited')[0]).toBe(guard);
  });

  it("is this application's guard on message patterns, own and inherited", async () => {
    const controller = patternControllers();
    await start([], [controller]);
    const guard = app.get(OidcAuthGuard);
    expect(handlerGuards(controller, 'own')).toEqual([guard]);
    expect(handlerGuards(controller, 'own')[0]).toBe(guard);
    expect(handlerGuards(controller, 'inherited')[0]).toBe(guard);
  });

  it('decides a gateway message once where Nest also runs the global guard', async () => {
    await start([gatewayClasses()], []);
    policyRuns = 0;
    const events: AuthEvent[] = [];
    const subscription = app.get(OidcAuthEvents).events$.subscribe((e) => events.push(e));
    const token = await issuer.mintToken({ sub: 'alice' });
    const url = `${(await app.getUrl()).replace('http', 'ws')}/ws`;
    const socket = await openWebSocket(url, token);
    expect(await askGateway(socket, 'own')).toEqual({ event: 'own', data: true });
    socket.close();
    subscription.unsubscribe();
    expect(events.map((e) => `${e.outcome} ${e.route}`)).toEqual([
      'allowed GET /ws',
      'allowed ws own',
    ]);
    // Its named policy ran once too, though both guards saw the message.
    expect(policyRuns).toBe(1);
  });
});
