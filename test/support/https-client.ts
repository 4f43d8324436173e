import { request } from 'node:https';
import type { CertificatePair } from './certificates.js';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * One request over a fresh TLS connection (no agent, so no connection or session carries one
 * client's certificate into another's request), presenting `certificate` when given.
 */
export function httpsCall(
  url: string,
  options: {
    ca: string;
    certificate?: CertificatePair;
    token?: string;
    headers?: Record<string, string>;
    method?: string;
    body?: string;
  },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        ca: options.ca,
        cert: options.certificate?.cert,
        key: options.certificate?.key,
        headers: {
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
          ...options.headers,
        },
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON: the text is the body.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
