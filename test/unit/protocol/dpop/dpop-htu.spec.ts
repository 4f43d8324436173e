import fc from 'fast-check';
import { normalizeHtu, requestHtu } from '../../../../lib/protocol/dpop/dpop-htu.js';

describe('normalizeHtu (RFC 9449 §4.3, RFC 3986 §6.2.2/§6.2.3)', () => {
  it.each([
    ['HTTPS://API.Example.COM/notes', 'https://api.example.com/notes'],
    ['https://api.example.com:443/notes', 'https://api.example.com/notes'],
    ['http://api.example.com:80/notes', 'http://api.example.com/notes'],
    ['https://api.example.com', 'https://api.example.com/'],
    ['https://api.example.com/a/./b/../c', 'https://api.example.com/a/c'],
    ['https://api.example.com/A/.-/.', 'https://api.example.com/A/.-/'],
    ['https://api.example.com/a/%2E%2E/b/%2e', 'https://api.example.com/b/'],
    ['https://api.example.com/a/..', 'https://api.example.com/'],
    ['https://api.example.com/%7euser/%41', 'https://api.example.com/~user/A'],
    ['https://api.example.com/a%2fb', 'https://api.example.com/a%2Fb'],
    ['https://api.example.com/notes?page=2#top', 'https://api.example.com/notes'],
    ['wss://api.example.com:443/events', 'https://api.example.com/events'],
    ['ws://api.example.com/events', 'http://api.example.com/events'],
  ])('normalises %s to %s', (uri, normal) => {
    expect(normalizeHtu(uri)).toBe(normal);
  });

  it('keeps a non-default port and a different path apart', () => {
    expect(normalizeHtu('https://api.example.com:8443/notes')).toBe(
      'https://api.example.com:8443/notes',
    );
    expect(normalizeHtu('https://api.example.com/notes/')).not.toBe(
      normalizeHtu('https://api.example.com/notes'),
    );
  });

  it.each([
    'ftp://api.example.com/notes',
    '/notes',
    'https:api.example.com/notes',
    'https:///notes',
    'https://api.example.com/no tes',
    'https://api.example.com\\@evil.example/',
    'javascript:alert(1)',
    '',
  ])('refuses %j, which is no absolute http(s) URI', (uri) => {
    expect(normalizeHtu(uri)).toBeUndefined();
  });

  it('treats every case and percent-encoding spelling of a path the same (property)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9\-._~]{1,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.nat(), (parts, seed) => {
        const plain = `https://api.example.com/${parts.join('/')}`;
        // Percent-encode some unreserved characters, in either hex case: RFC 3986 §6.2.2.2.
        let n = seed;
        const encoded = parts
          .map((p) =>
            [...p]
              .map((c) => {
                n = (n * 31 + 7) % 1009;
                if (n % 3 !== 0 || c === '.') return c;
                const hex = c.charCodeAt(0).toString(16);
                return `%${n % 2 ? hex.toUpperCase() : hex}`;
              })
              .join(''),
          )
          .join('/');
        const variant = `HTTPS://API.EXAMPLE.COM:443/${encoded}?q=${seed}`;
        expect(normalizeHtu(variant)).toBe(normalizeHtu(plain));
      }),
      { numRuns: 500 },
    );
  });
});

describe('requestHtu', () => {
  it('builds the URI from scheme, Host and the target without its query', () => {
    expect(
      requestHtu({ protocol: 'https', host: 'API.example.com:443', target: '/notes?x=1' }),
    ).toBe('https://api.example.com/notes');
  });

  it.each([
    [{ protocol: 'https', host: undefined, target: '/notes' }, 'no Host'],
    [{ protocol: 'https', host: 'a.example, b.example', target: '/notes' }, 'two Hosts'],
    [{ protocol: 'https', host: 'evil.example/notes?', target: '/x' }, 'a Host with a path'],
    [{ protocol: 'https', host: 'user@evil.example', target: '/x' }, 'a Host with userinfo'],
    [
      { protocol: 'https', host: 'api.example.com', target: 'http://evil.example/notes' },
      'absolute form',
    ],
    [{ protocol: 'https', host: 'api.example.com', target: '*' }, 'asterisk form'],
    [{ protocol: 'gopher', host: 'api.example.com', target: '/notes' }, 'another scheme'],
  ])('gives no URI for %j (%s)', (target, _why) => {
    expect(requestHtu(target)).toBeUndefined();
  });
});
