import { jest } from '@jest/globals';
import { type INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { graphqlApp } from '../../support/graphql-app.js';
import { appsOn, PLATFORMS } from '../../support/test-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

jest.setTimeout(120_000);

// Whatever a trusted issuer's key signs, no claim value may turn into a server error: every token
// below carries a valid signature, so each value reaches the claim checks, the claim mappers, the
// principal and its JSON. Seeded, so a failure is reproducible; it prints the claims.
const SEED = 20261124;
const RUNS = 300;

const now = () => Math.floor(Date.now() / 1000);
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(9e12, -9e12, 8.64e12, 1e308, -0, 2 ** 53, 253402300800, 0.5, ''),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const CLAIMS = ['nbf', 'iat', 'auth_time', 'aud', 'sub', 'iss', 'scope', 'scp', 'roles'];
const ALSO = ['client_id', 'azp', 'tid', 'gty', 'idtyp', 'oid', 'typ', 'realm_access'];
// A few claims at a time take arbitrary values, so that some tokens still pass every check.
const claims = fc
  .tuple(
    fc.oneof(anyValue, fc.constant(now() + 300)),
    fc.uniqueArray(fc.constantFrom(...CLAIMS, ...ALSO), { maxLength: 3 }),
    fc.array(anyValue, { minLength: 3, maxLength: 3 }),
  )
  .map(([exp, names, values]) => ({
    exp,
    ...Object.fromEntries(names.map((name, i) => [name, values[i]])),
  }));

describe('no claim value of a validly signed token is a server error', () => {
  const issuer = suiteIssuer();
  const base = () => ({ iss: issuer.issuer, aud: issuer.audience, sub: 'user-1' });

  describe.each(PLATFORMS)('GET /me over HTTP (%s)', (platform) => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      app = await appsOn(platform)({
        issuers: trusted(issuer),
      });
      await app.listen(0, '127.0.0.1');
      url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/me`;
    });

    afterAll(() => app.close());

    it(`answers ${RUNS} tokens with arbitrary claim values with 200 (JSON) or 401 only`, async () => {
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(claims, async (generated) => {
          const token = issuer.signRaw({}, { ...base(), ...generated });
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          const text = await res.text();
          statuses.add(res.status);
          if (res.status === 200) JSON.parse(text);
          return res.status === 200 || res.status === 401;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      // Both outcomes occurred: the generator reaches past the claim checks as well as into them.
      expect([...statuses].sort()).toEqual([200, 401]);
    });
  });

  describe('a GraphQL query', () => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      app = await graphqlApp({ issuers: trusted(issuer) });
      url = `${await app.getUrl()}/graphql`;
    });

    afterAll(() => app.close());

    it(`answers ${RUNS} tokens with arbitrary claim values with data or UNAUTHENTICATED only`, async () => {
      const codes = new Set<string>();
      await fc.assert(
        fc.asyncProperty(claims, async (generated) => {
          const token = issuer.signRaw({}, { ...base(), ...generated });
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ me }' }),
          });
          const body = (await res.json()) as {
            data?: { me?: string } | null;
            errors?: Array<{ extensions?: { code?: string } }>;
          };
          const code = body.errors?.[0]?.extensions?.code ?? 'OK';
          codes.add(code);
          return res.status === 200 && (code === 'OK' || code === 'UNAUTHENTICATED');
        }),
        { seed: SEED, numRuns: RUNS },
      );
      expect([...codes].sort()).toEqual(['OK', 'UNAUTHENTICATED']);
    });
  });
});
