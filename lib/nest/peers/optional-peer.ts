const peers = new Map<string, Promise<unknown>>();

/**
 * Loads an optional peer (`@nestjs/websockets`, `@nestjs/microservices`) on first use: an HTTP-only
 * application has none of them installed, and only a call of that transport can need one.
 */
export function loadPeer<T>(name: string): Promise<T> {
  let peer = peers.get(name);
  if (!peer) {
    peer = import(name);
    peers.set(name, peer);
  }
  return peer as Promise<T>;
}

/** `WsException` and `RpcException`: what Nest's filters of those transports send to the client. */
export type ClientFacingException = new (error: object) => Error;
