import type { ExecutionContext } from '@nestjs/common';
import { extractBearerToken } from '../../protocol/bearer/bearer-token.js';
import { InvalidRequestError } from '../../protocol/errors/errors.js';
import { authenticationOf, bindAuthentication } from './call-authentications.js';
import { type ClientFacingException, loadPeer } from '../peers/optional-peer.js';
import { type Authentication, loggable, refusalPayload, type Transport } from './transport.js';

type Headers = Record<string, unknown>;

interface RpcContextLike {
  /** gRPC: the call's `Metadata` is the context itself. */
  get?(key: string): unknown;
  /** TCP and Redis: what the client's dispatch hook put in `packet.metadata`. */
  getMetadata?(): unknown;
  /** NATS. */
  getHeaders?(): unknown;
  /** Kafka (`headers`), RabbitMQ (`properties.headers`). */
  getMessage?(): { headers?: Headers; properties?: { headers?: Headers } } | undefined;
  /** MQTT 5 user properties. */
  getPacket?(): { properties?: { userProperties?: Headers } } | undefined;
  getPattern?(): string;
}

function header(headers: unknown): unknown {
  if (headers === null || typeof headers !== 'object') return undefined;
  const map = headers as { get?(name: string): unknown } & Headers;
  const value = typeof map.get === 'function' ? map.get('authorization') : map.authorization;
  // gRPC metadata and NATS headers hold lists; one value is one value, and none is none.
  const single = Array.isArray(value) && value.length <= 1 ? value[0] : value;
  return Buffer.isBuffer(single) ? single.toString('latin1') : single;
}

function fromMetadata(ctx: RpcContextLike): unknown {
  if (typeof ctx.get === 'function') return header(ctx);
  return (
    header(ctx.getMetadata?.()) ??
    header(ctx.getHeaders?.()) ??
    header(ctx.getMessage?.()?.headers) ??
    header(ctx.getMessage?.()?.properties?.headers) ??
    header(ctx.getPacket?.()?.properties?.userProperties)
  );
}

/**
 * The `authorization` of a message's metadata (TCP and Redis packet metadata, gRPC metadata, NATS
 * or Kafka headers, RabbitMQ header properties, MQTT 5 user properties) or else of its payload.
 */
export function rpcAuthorization(data: unknown, rpcContext: unknown): unknown {
  const metadata =
    rpcContext !== null && typeof rpcContext === 'object'
      ? fromMetadata(rpcContext as RpcContextLike)
      : undefined;
  if (metadata !== undefined) return metadata;
  return data !== null && typeof data === 'object'
    ? (data as { authorization?: unknown }).authorization
    : undefined;
}

// Each message has its own context object; a payload-only transport gets its data as the key.
function carrier(context: ExecutionContext): object | undefined {
  const rpc = context.switchToRpc();
  const key: unknown = rpc.getContext() ?? rpc.getData();
  return typeof key === 'object' && key !== null ? key : undefined;
}

/**
 * A message that came with an HTTP request the guard authenticated at its route: an MCP call of
 * `@rekog/mcp-nest`, whose context hands out that request (`getRawRequest()`), is the request's.
 */
function carriedBy(context: ExecutionContext): Authentication | undefined {
  const ctx = context.switchToRpc().getContext<{ getRawRequest?(): unknown } | undefined>();
  return typeof ctx?.getRawRequest === 'function'
    ? authenticationOf(ctx.getRawRequest())
    : undefined;
}

const callAuthentication = (context: ExecutionContext): Authentication | undefined =>
  authenticationOf(carrier(context)) ?? carriedBy(context);

/** `@nestjs/microservices` handlers: a bearer token per message, refusals as `RpcException`s. */
export const rpcTransport: Transport = {
  established: () => undefined,
  boundToCall: callAuthentication,
  token(context) {
    const rpc = context.switchToRpc();
    const authorization = rpcAuthorization(rpc.getData(), rpc.getContext());
    if (
      authorization !== undefined &&
      typeof authorization !== 'string' &&
      !(Array.isArray(authorization) && authorization.every((v) => typeof v === 'string'))
    ) {
      throw new InvalidRequestError('authorization must be a string of the form "Bearer <token>"');
    }
    return extractBearerToken({ authorization, query: undefined, allowQuery: false });
  },
  bind(context, authentication) {
    const key = carrier(context);
    if (key) bindAuthentication(key, authentication);
  },
  authenticationOf: callAuthentication,
  describe(context) {
    const ctx = context.switchToRpc().getContext<RpcContextLike | undefined>();
    const pattern = typeof ctx?.getPattern === 'function' ? ctx.getPattern() : undefined;
    return `rpc ${loggable(pattern) ?? context.getHandler().name}`;
  },
  async refusal(_err, answer) {
    const { RpcException } = await loadPeer<{ RpcException: ClientFacingException }>(
      '@nestjs/microservices',
    );
    return new RpcException(refusalPayload(answer));
  },
};
