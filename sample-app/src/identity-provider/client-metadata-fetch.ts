import { request } from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * What oidc-provider fetches documents with (client ID metadata documents, a client's `jwks_uri`).
 * It refuses loopback and private addresses (SSRF), as a deployed provider must; this provider
 * runs only on the developer's machine, beside the MCP clients being developed, so it also
 * fetches https documents from loopback addresses, trusting `ca` besides the system's CAs.
 * Anything else goes through oidc-provider's own protected fetch.
 */
export function clientMetadataFetch(ca?: string | Buffer) {
  const trusted = ca ? [...rootCertificates, ca.toString()] : undefined;
  return (url: URL | string | Request, options: RequestInit = {}): Promise<Response> => {
    const target = new URL(url instanceof Request ? url.url : url);
    const method = options.method ?? 'GET';
    if (target.protocol !== 'https:' || !LOOPBACK.has(target.hostname) || method !== 'GET') {
      return fetch(url, options);
    }
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method,
          headers: Object.fromEntries(new Headers(options.headers)),
          ca: trusted,
          signal: options.signal ?? undefined,
        },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of [value ?? []].flat()) headers.append(name, one);
          }
          // Redirects are not followed, as oidc-provider asks (`redirect: 'manual'`).
          resolve(
            new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, {
              status: res.statusCode ?? 502,
              headers,
            }),
          );
        },
      );
      req.once('error', reject);
      req.end();
    });
  };
}
