import fc from 'fast-check';
import { ASYMMETRIC_ALGORITHMS } from '../../../lib/core/jose/algorithms.js';
import {
  type EncodingEdit,
  type MemberEdit,
  RawJson,
  type Recipe,
  type SignatureMode,
  type TextEdit,
} from './token-builder.js';
import { ISS, NOW, TOLERANCE, WORLDS } from './worlds.js';

const json = fc.jsonValue({ maxDepth: 2 });

// Around every edge the verifiers decide on: now, the tolerance either side, and fractions of it.
const numericDate = fc.oneof(
  fc.constantFrom(
    NOW,
    NOW - TOLERANCE,
    NOW + TOLERANCE,
    NOW - TOLERANCE - 1,
    NOW + TOLERANCE + 1,
    NOW + 300,
    NOW - 300,
    0,
    -1,
    253_402_300_799,
    253_402_300_800,
    8.64e12,
    9e12,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.integer({ min: -400, max: 400 }).map((d) => NOW + d),
  fc.double({ min: -2 * TOLERANCE, max: 2 * TOLERANCE, noNaN: true }).map((d) => NOW + d),
  fc.constantFrom(
    new RawJson('1e400'),
    new RawJson('-1e400'),
    new RawJson('1800000300.0'),
    new RawJson('-0'),
  ),
  fc.constantFrom(String(NOW + 300), [NOW + 300], null, true, {}),
);

const audience = fc.oneof(
  fc.constantFrom(
    'api',
    'API',
    'api ',
    ' api',
    'api other',
    'other api',
    'https://api.example',
    'https://api.example/',
    'other',
    '',
    ['api'],
    ['other', 'api'],
    ['other'],
    [],
    ['api other'],
    ['api', 5],
    ['', 'api'],
    [['api']],
    5,
    null,
    { api: true },
  ),
  fc.array(fc.constantFrom('api', 'other', 'https://api.example', 'x'), { maxLength: 4 }),
);

const issuer = fc.constantFrom(
  ISS,
  `${ISS}/`,
  ISS.toUpperCase(),
  'https://idp.example.evil',
  'https://idp.exampl\u0435',
  ` ${ISS}`,
  [ISS],
  '',
  null,
  5,
);

const subject = fc.oneof(
  fc.constantFrom(
    'alice',
    '',
    ' ',
    5,
    0,
    null,
    true,
    ['alice'],
    { id: 'alice' },
    '\u0000',
    'a\u0301lice',
  ),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

const claimName = fc.oneof(
  fc.constantFrom(
    'scope',
    'scp',
    'roles',
    'client_id',
    'azp',
    'jti',
    'tid',
    'cnf',
    '__proto__',
    'constructor',
    'toString',
    'é',
    '\u{1F600}',
    '',
  ),
  fc.string({ maxLength: 6 }),
);

const claimEdit: fc.Arbitrary<MemberEdit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      name: fc.constantFrom('exp', 'nbf', 'iat', 'auth_time'),
      value: numericDate,
    }),
  },
  { weight: 3, arbitrary: fc.record({ name: fc.constant('aud'), value: audience }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('iss'), value: issuer }) },
  { weight: 2, arbitrary: fc.record({ name: fc.constant('sub'), value: subject }) },
  {
    weight: 2,
    arbitrary: fc.record({
      name: claimName,
      value: fc.oneof(json, fc.string({ unit: 'binary', maxLength: 12 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constantFrom('exp', 'aud', 'iss', 'sub', 'iat', 'scope'),
      remove: fc.constant(true as const),
    }),
  },
);

const kids = [...new Set(WORLDS.flatMap((w) => w.jwks.keys.map((k) => k.kid)))];

const headerEdit: fc.Arbitrary<MemberEdit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      name: fc.constant('alg'),
      value: fc.constantFrom(
        ...ASYMMETRIC_ALGORITHMS,
        'HS256',
        'HS512',
        'none',
        'None',
        'ES256K',
        'ed25519',
        'rs256',
        'RS256 ',
        '',
        5,
        null,
        ['RS256'],
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      name: fc.constant('kid'),
      value: fc.oneof(fc.constantFrom(...kids, 'unknown', '', 5, null, ['rsa-a'], 'RSA-A')),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ name: fc.constant('kid'), remove: fc.constant(true as const) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('typ'),
      value: fc.constantFrom(
        'JWT',
        'at+jwt',
        'application/at+jwt',
        'AT+JWT',
        'at+JWT ',
        'jwt',
        'application/jwt',
        'JOSE',
        5,
        null,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ name: fc.constant('typ'), remove: fc.constant(true as const) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('crit'),
      value: fc.constantFrom(['b64'], ['exp'], [], 'b64', ['kid'], ['x-ext'], [''], null),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      name: fc.constant('b64'),
      value: fc.constantFrom(true, false, 'false'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      name: fc.constantFrom('jku', 'x5u', 'jwk', 'x5c', 'x5t', 'zip', 'cty', 'enc'),
      value: fc.constantFrom(
        'https://evil.example/jwks',
        { kty: 'oct', k: 'c2VjcmV0' },
        ['MIIB'],
        'DEF',
        'JWT',
        'A256GCM',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ name: claimName, value: json }) },
);

function textEdit(names: readonly string[]): fc.Arbitrary<TextEdit> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('duplicate' as const),
        name: fc.constantFrom(...names),
        value: json,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('escaped-duplicate' as const),
        name: fc.constantFrom(...names),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'whitespace' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('bytes' as const),
        bytes: fc.constantFrom(
          [0xff],
          [0xc3],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
          [0xe2, 0x82],
          [0xc3, 0xa9],
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        text: fc.constantFrom('[]', '"x"', 'null', '1', '', '{', '{}'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('trailing' as const),
        text: fc.constantFrom('x', '}', ' ', '\u0000', ','),
      }),
    },
  );
}

const encodingEdit: fc.Arbitrary<EncodingEdit> = fc.oneof(
  fc.record({ kind: fc.constant('pad' as const), count: fc.integer({ min: 1, max: 2 }) }),
  fc.constant({ kind: 'standard-alphabet' as const }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(' ', '\n', '\t', '\r', '~', '!', '*', '=', '+', '/', '\u00e9', 'A', '-'),
  }),
  fc.constant({ kind: 'spare-bits' as const }),
  fc.constant({ kind: 'drop-last' as const }),
  fc.constant({ kind: 'empty' as const }),
);

const signatureMode = (
  weights: Partial<Record<SignatureMode, number>>,
): fc.Arbitrary<SignatureMode> =>
  fc.oneof(
    ...Object.entries(weights).map(([mode, weight]) => ({
      weight: weight!,
      arbitrary: fc.constant(mode as SignatureMode),
    })),
  );

interface Focus {
  header?: fc.Arbitrary<MemberEdit[]>;
  claims?: fc.Arbitrary<MemberEdit[]>;
  text?: boolean;
  encoding?: boolean;
  signature: fc.Arbitrary<SignatureMode>;
  worlds?: readonly number[];
}

function recipe(focus: Focus): fc.Arbitrary<Recipe> {
  const worlds = focus.worlds ?? WORLDS.map((_, i) => i);
  const headerNames = ['alg', 'kid', 'typ'];
  const payloadNames = ['exp', 'aud', 'sub', 'iss', 'iat', 'scope'];
  return fc.constantFrom(...worlds).chain((world) =>
    fc.record({
      world: fc.constant(world),
      signer: fc.nat({ max: WORLDS[world].signers.length - 1 }),
      alg: fc.nat({ max: 5 }),
      header: focus.header ?? fc.constant([]),
      claims: focus.claims ?? fc.constant([]),
      headerText: focus.text ? fc.option(textEdit(headerNames), { freq: 3 }) : fc.constant(null),
      payloadText: focus.text ? fc.option(textEdit(payloadNames), { freq: 2 }) : fc.constant(null),
      encoding: focus.encoding
        ? fc.option(
            fc.record({
              segment: fc.constantFrom(0 as const, 1 as const, 2 as const),
              edit: encodingEdit,
            }),
            { freq: 8 },
          )
        : fc.constant(null),
      signature: focus.signature,
      flipBit: fc.nat({ max: 4095 }),
    }),
  );
}

/** Header members changed, then re-signed by the issuer's key (mostly) to reach the header checks. */
export const headerCases = recipe({
  header: fc.array(headerEdit, { minLength: 1, maxLength: 3 }),
  signature: signatureMode({ resign: 12, jose: 1, attacker: 1, 'hmac-public': 2, none: 1 }),
});

/** Claims changed and re-signed, to reach every claim check. */
export const claimCases = recipe({
  claims: fc.array(claimEdit, { minLength: 1, maxLength: 4 }),
  signature: signatureMode({ resign: 20, jose: 1, flip: 1 }),
});

/** The JSON texts and each segment's spelling; re-signed over the altered bytes, or not. */
export const encodingCases = recipe({
  text: true,
  encoding: true,
  signature: signatureMode({ resign: 6, jose: 3, der: 1, zeros: 1, flip: 1 }),
});

/** Key-set shapes: shared kids, `use: enc`, `key_ops`, missing `alg` and `kid`, with header edits on `alg`/`kid`. */
export const keySetCases = recipe({
  header: fc.array(headerEdit, { maxLength: 2 }),
  signature: signatureMode({ resign: 10, jose: 3, attacker: 1, der: 1 }),
  worlds: [0, 1, 2, 5],
});
