import {
  KafkaContext,
  MqttContext,
  NatsContext,
  RedisContext,
  RmqContext,
  TcpContext,
} from '@nestjs/microservices';
import { bindAuthentication } from '../../../../lib/nest/transports/call-authentications.js';
import { rpcAuthorization, rpcTransport } from '../../../../lib/nest/transports/rpc.transport.js';

const AUTH = 'Bearer aaa.bbb.ccc';

describe('rpcAuthorization', () => {
  it('reads TCP and Redis packet metadata', () => {
    expect(rpcAuthorization({}, new TcpContext([{} as never, 'p', { authorization: AUTH }]))).toBe(
      AUTH,
    );
    expect(rpcAuthorization({}, new RedisContext(['p', { authorization: AUTH }]))).toBe(AUTH);
  });

  it('reads gRPC metadata, whose values are lists', () => {
    const metadata = { get: (key: string) => (key === 'authorization' ? [AUTH] : []) };
    expect(rpcAuthorization({}, metadata)).toBe(AUTH);
    const twice = { get: () => [AUTH, AUTH] };
    expect(rpcAuthorization({}, twice)).toEqual([AUTH, AUTH]);
  });

  it('reads NATS headers', () => {
    const headers = { get: (key: string) => (key === 'authorization' ? AUTH : undefined) };
    expect(rpcAuthorization({}, new NatsContext(['subject', headers as never]))).toBe(AUTH);
  });

  it('reads Kafka headers, which arrive as buffers', () => {
    const message = { headers: { authorization: Buffer.from(AUTH) } };
    expect(
      rpcAuthorization(
        {},
        new KafkaContext([message as never, 0, 'topic', {} as never, {} as never, {} as never]),
      ),
    ).toBe(AUTH);
  });

  it('reads RabbitMQ header properties and MQTT 5 user properties', () => {
    const amqp = { properties: { headers: { authorization: AUTH } } };
    expect(rpcAuthorization({}, new RmqContext([amqp as never, {} as never, 'p']))).toBe(AUTH);
    const packet = { properties: { userProperties: { authorization: AUTH } } };
    expect(rpcAuthorization({}, new MqttContext(['topic', packet as never]))).toBe(AUTH);
  });

  it('falls back to the payload, and prefers metadata to it', () => {
    expect(rpcAuthorization({ authorization: AUTH }, new TcpContext([{} as never, 'p']))).toBe(
      AUTH,
    );
    expect(
      rpcAuthorization(
        { authorization: 'Bearer payload' },
        new TcpContext([{} as never, 'p', { authorization: AUTH }]),
      ),
    ).toBe(AUTH);
    expect(rpcAuthorization('plain string', undefined)).toBeUndefined();
    expect(rpcAuthorization(null, null)).toBeUndefined();
  });
});

describe('rpcTransport', () => {
  const authentication = { principal: {} as never, token: 't', validUntil: 0 };
  const contextOf = (rpcContext: unknown) =>
    ({ switchToRpc: () => ({ getContext: () => rpcContext, getData: () => ({}) }) }) as never;

  it('takes the authentication of the HTTP request a message came with (an MCP call)', () => {
    const request = {};
    bindAuthentication(request, authentication);
    const mcpContext = { getRawRequest: () => request };
    expect(rpcTransport.boundToCall(contextOf(mcpContext))).toBe(authentication);
    expect(rpcTransport.authenticationOf(contextOf(mcpContext))).toBe(authentication);
  });

  it('takes none from a request nobody authenticated, or a context without one', () => {
    expect(rpcTransport.boundToCall(contextOf({ getRawRequest: () => ({}) }))).toBeUndefined();
    expect(rpcTransport.boundToCall(contextOf({ getRawRequest: () => undefined }))).toBeUndefined();
    expect(rpcTransport.boundToCall(contextOf({ getRawRequest: 'no' }))).toBeUndefined();
    expect(rpcTransport.boundToCall(contextOf(new TcpContext([{} as never, 'p'])))).toBeUndefined();
  });
});
