/** The parts of an Express or Fastify request the guard reads. */
export interface HttpRequestLike {
  method?: string;
  url?: string;
  route?: { path?: string };
  routeOptions?: { url?: string };
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: unknown;
  /** The connection (`request.socket` on Express and Fastify alike): TLS for a client certificate. */
  socket?: unknown;
}

export interface HttpResponseLike {
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/** The HTTP request a call came with, and its response where headers can still be set. */
export interface HttpExchange {
  request: HttpRequestLike;
  response?: HttpResponseLike;
}
