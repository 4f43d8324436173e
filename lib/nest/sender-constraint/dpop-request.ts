import { requestHtu } from '../../protocol/dpop/dpop-htu.js';
import type { HttpRequestLike } from '../transports/http-exchange.js';

/** What a request tells about where it was sent, on Express, Fastify and bare Node alike. */
export interface DPoPHttpRequest extends HttpRequestLike {
  /** Express: the URL before any router rewrote `url`. */
  originalUrl?: string;
  /** Express and Fastify: the scheme, from `X-Forwarded-Proto` when the framework trusts the proxy. */
  protocol?: string;
  /** Express 5 and Fastify 5: the host and port, from `X-Forwarded-Host` when trusted likewise. */
  host?: string;
  socket?: { encrypted?: boolean };
}

function first(value: string | string[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one?.split(',')[0].trim() || undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The normalised URI the request was sent to, for a proof's `htu`. Forwarded scheme and host count
 * only when the framework trusts the proxy (Express `trust proxy`, Fastify `trustProxy`, read
 * through their `protocol` and `host`) or `trustProxy` is set; otherwise the connection and the
 * `Host` header. `undefined` (no proof matches) when the URI is unclear or its origin is not one of
 * `origins`.
 */
export function requestHtuOf(
  request: DPoPHttpRequest,
  trustProxy: boolean,
  origins: ReadonlySet<string> | undefined,
): string | undefined {
  const headers = request.headers ?? {};
  const own = request.socket?.encrypted ? 'https' : 'http';
  let protocol: string | undefined;
  let host: string | undefined;
  if (trustProxy) {
    protocol = first(headers['x-forwarded-proto']) ?? own;
    host = first(headers['x-forwarded-host']) ?? single(headers.host);
  } else if (typeof request.protocol === 'string') {
    protocol = request.protocol;
    host = request.host;
  } else {
    protocol = own;
    host = single(headers.host);
  }
  const htu = requestHtu({ protocol, host, target: request.originalUrl ?? request.url });
  if (htu === undefined || origins === undefined) return htu;
  return origins.has(htu.slice(0, htu.indexOf('/', htu.indexOf('//') + 2))) ? htu : undefined;
}
