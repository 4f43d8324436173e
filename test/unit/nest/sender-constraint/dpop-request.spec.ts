import { dpopOrigins } from '../../../../lib/nest/options/dpop.options.js';
import { requestHtuOf } from '../../../../lib/nest/sender-constraint/dpop-request.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';

const forwarded = {
  host: '127.0.0.1:3000',
  'x-forwarded-proto': 'https, http',
  'x-forwarded-host': 'api.example.com, inner.example',
};

describe('requestHtuOf', () => {
  it('reads a bare Node request: the connection and the Host header', () => {
    expect(requestHtuOf({ url: '/notes?x=1', headers: forwarded }, false, undefined)).toBe(
      'http://127.0.0.1:3000/notes',
    );
    expect(
      requestHtuOf(
        { url: '/notes', headers: forwarded, socket: { encrypted: true } },
        false,
        undefined,
      ),
    ).toBe('https://127.0.0.1:3000/notes');
  });

  it("believes the framework's protocol and host (its own trust proxy setting), and originalUrl", () => {
    const express = {
      url: '/rewritten',
      originalUrl: '/api/notes',
      protocol: 'https',
      host: 'api.example.com',
      headers: forwarded,
    };
    expect(requestHtuOf(express, false, undefined)).toBe('https://api.example.com/api/notes');
  });

  it('takes the first forwarded values with trustProxy, whatever the framework says', () => {
    const request = { url: '/notes', protocol: 'http', host: '127.0.0.1:3000', headers: forwarded };
    expect(requestHtuOf(request, true, undefined)).toBe('https://api.example.com/notes');
  });

  it('gives no URI for an origin outside dpop.origins', () => {
    const origins = dpopOrigins(['https://api.example.com', 'HTTP://LOCALHOST:3000/']);
    const request = { url: '/notes', headers: forwarded };
    expect(requestHtuOf(request, true, origins)).toBe('https://api.example.com/notes');
    expect(requestHtuOf(request, false, origins)).toBeUndefined();
    expect(requestHtuOf({ url: '/n', headers: { host: 'localhost:3000' } }, false, origins)).toBe(
      'http://localhost:3000/n',
    );
  });

  it.each([
    'api.example.com',
    'https://api.example.com/path',
    'ftp://x.example',
    'https://u@x.example',
  ])('refuses %j as an origin at startup', (origin) => {
    expect(() => dpopOrigins([origin])).toThrow(OidcAuthConfigError);
  });
});
