import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  familyOf,
} from '../../../lib/core/jose/algorithms.js';

/** Fixed clock of every differential case (whole seconds: jose floors its `currentDate`). */
export const NOW = 1_800_000_000;
export const TOLERANCE = 60;
export const ISS = 'https://idp.example';

type Jwk = Record<string, unknown>;

/** A private key the issuer signs with, the `kid` its tokens name, and the algorithms it fits. */
export interface Signer {
  kid: string | undefined;
  privateKey: KeyObject;
  publicKey: KeyObject;
  algorithms: readonly Algorithm[];
}

/**
 * One configuration both verifiers are given: the issuer's JWK set and what is required of its
 * tokens. `signers` are the keys behind the set (including keys the set marks unusable, whose
 * tokens both must refuse).
 */
export interface World {
  name: string;
  jwks: { keys: Jwk[] };
  signers: readonly Signer[];
  /** `false`: the audience check turned off, explicitly (jose is then given no audience). */
  audience: string | string[] | false;
  algorithms?: Algorithm[];
  typ?: string;
  /** An HMAC issuer's shared secret, given to both instead of a key set. */
  secret?: Buffer;
}

const RSA_ALGS = ASYMMETRIC_ALGORITHMS.filter((alg) => familyOf(alg).startsWith('rsa'));
// jose 5, the oracle, signs and verifies EdDSA on either curve and RFC 9864's Ed25519, but does
// not know RFC 9864's Ed448: worlds with Ed448 keys leave that name out (the unit tests cover it).
const OKP_ALGS: Record<string, Algorithm[]> = { ed25519: ['EdDSA', 'Ed25519'], ed448: ['EdDSA'] };
const EC_ALG: Record<string, Algorithm> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

function rsa(bits = 2048) {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

function ec(namedCurve: string) {
  return generateKeyPairSync('ec', { namedCurve });
}

type Pair = ReturnType<typeof rsa>;

function jwk(pair: Pair, members: Jwk): Jwk {
  const exported = pair.publicKey.export({ format: 'jwk' }) as Jwk;
  const out: Jwk = { ...exported, ...members };
  for (const name of Object.keys(out)) if (out[name] === undefined) delete out[name];
  return out;
}

function signer(pair: Pair, kid: string | undefined): Signer {
  const okp = OKP_ALGS[pair.publicKey.asymmetricKeyType!];
  if (okp) return { kid, privateKey: pair.privateKey, publicKey: pair.publicKey, algorithms: okp };
  const curve = pair.publicKey.asymmetricKeyDetails?.namedCurve;
  const byCurve: Record<string, string> = {
    prime256v1: 'P-256',
    secp384r1: 'P-384',
    secp521r1: 'P-521',
  };
  return {
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    // PSS with SHA-512 does not fit a 1024-bit modulus; PKCS #1 v1.5 does.
    algorithms: curve
      ? [EC_ALG[byCurve[curve]]]
      : (pair.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048
        ? RSA_ALGS.filter((alg) => alg.startsWith('RS'))
        : RSA_ALGS,
  };
}

const rsaA = rsa();
const rsaB = rsa();
const rsaWeak = rsa(1024);
const p256 = ec('P-256');
const p384 = ec('P-384');
const p521 = ec('P-521');

const ed25519A = generateKeyPairSync('ed25519');
const ed25519B = generateKeyPairSync('ed25519');
const ed448 = generateKeyPairSync('ed448');
const x25519 = generateKeyPairSync('x25519');

const hmacSecret = randomBytes(48);

/** Keys no world publishes: tokens signed with them are forgeries. */
export const ATTACKER = {
  secret: createSecretKey(randomBytes(48)),
  rsa: rsa(),
  ec: { ES256: ec('P-256'), ES384: ec('P-384'), ES512: ec('P-521') },
  ed25519: generateKeyPairSync('ed25519'),
};

export const WORLDS: readonly World[] = [
  {
    name: 'mixed set',
    audience: 'api',
    jwks: {
      keys: [
        jwk(rsaA, { kid: 'rsa-a', alg: 'RS256', use: 'sig' }),
        jwk(rsaB, { kid: 'rsa-b' }),
        jwk(rsaWeak, { kid: 'rsa-weak', use: 'sig' }),
        jwk(p256, { kid: 'ec-256', key_ops: ['verify'] }),
        jwk(p384, { kid: 'ec-384', alg: 'ES384', use: 'sig' }),
        jwk(p521, { kid: 'ec-521' }),
        jwk(rsaA, { kid: 'rsa-enc', use: 'enc' }),
        jwk(rsaB, { kid: 'rsa-ops', key_ops: ['encrypt'] }),
      ],
    },
    signers: [
      signer(rsaA, 'rsa-a'),
      signer(rsaB, 'rsa-b'),
      signer(rsaWeak, 'rsa-weak'),
      signer(p256, 'ec-256'),
      signer(p384, 'ec-384'),
      signer(p521, 'ec-521'),
      signer(rsaA, 'rsa-enc'),
      signer(rsaB, 'rsa-ops'),
    ],
  },
  {
    // RFC 7517 §4.5: keys of different types may share a kid; a kid naming two keys of one type
    // and a kid shared with an encryption key are the cases around it.
    name: 'shared kids',
    audience: ['api', 'https://api.example'],
    jwks: {
      keys: [
        jwk(rsaA, { kid: 'shared' }),
        jwk(p256, { kid: 'shared' }),
        jwk(p384, { kid: 'shared', alg: 'ES384' }),
        jwk(rsaB, { kid: 'twin', use: 'enc' }),
        jwk(p521, { kid: 'twin', use: 'sig' }),
        jwk(rsaA, { kid: 'pair' }),
        jwk(rsaB, { kid: 'pair' }),
        jwk(ed25519A, { kid: 'shared' }),
      ],
    },
    signers: [
      signer(rsaA, 'shared'),
      signer(p256, 'shared'),
      signer(p384, 'shared'),
      signer(ed25519A, 'shared'),
      signer(rsaB, 'twin'),
      signer(p521, 'twin'),
      signer(rsaA, 'pair'),
      signer(rsaB, 'pair'),
    ],
  },
  {
    name: 'single key without kid or alg',
    audience: 'api',
    algorithms: ['ES256', 'RS256'],
    jwks: { keys: [jwk(p256, {})] },
    signers: [signer(p256, undefined)],
  },
  {
    name: 'typed (at+jwt), narrow algorithms',
    audience: 'api',
    typ: 'at+jwt',
    algorithms: ['RS256', 'PS256', 'ES256'],
    jwks: {
      keys: [
        jwk(rsaA, { kid: 'rsa-a', alg: 'RS256' }),
        jwk(rsaB, { kid: 'rsa-b' }),
        jwk(p256, { kid: 'ec-256' }),
      ],
    },
    signers: [signer(rsaA, 'rsa-a'), signer(rsaB, 'rsa-b'), signer(p256, 'ec-256')],
  },
  {
    name: 'HMAC issuer (shared secret), audience check off',
    audience: false,
    algorithms: ['HS256', 'HS384', 'HS512'],
    secret: hmacSecret,
    jwks: { keys: [] },
    signers: [
      {
        kid: 'hmac',
        privateKey: createSecretKey(hmacSecret),
        publicKey: createSecretKey(hmacSecret),
        algorithms: ['HS256', 'HS384', 'HS512'],
      },
    ],
  },
  {
    // RFC 8037 OKP keys: EdDSA on either curve and RFC 9864's Ed25519, keys that state their alg
    // and keys that do not, an Ed25519 and an Ed448 key under one kid (EdDSA cannot choose, Ed25519
    // can), an Ed25519 key sharing a kid with an EC key, use/key_ops, and an X25519 key, which is
    // OKP but for key agreement only.
    name: 'OKP keys (EdDSA)',
    audience: 'api',
    algorithms: ASYMMETRIC_ALGORITHMS.filter((alg) => alg !== 'Ed448'),
    jwks: {
      keys: [
        jwk(ed25519A, { kid: 'ed-a' }),
        jwk(ed25519B, { kid: 'ed-b', alg: 'Ed25519', use: 'sig' }),
        jwk(ed448, { kid: 'ed-448', alg: 'EdDSA' }),
        jwk(ed448, { kid: 'ed-pair' }),
        jwk(ed25519A, { kid: 'ed-pair' }),
        jwk(ed25519B, { kid: 'ed-shared' }),
        jwk(p256, { kid: 'ed-shared' }),
        jwk(ed25519A, { kid: 'ed-enc', use: 'enc' }),
        jwk(ed448, { kid: 'ed-ops', key_ops: ['sign'] }),
        jwk(x25519, { kid: 'x25519' }),
      ],
    },
    signers: [
      signer(ed25519A, 'ed-a'),
      signer(ed25519B, 'ed-b'),
      signer(ed448, 'ed-448'),
      signer(ed448, 'ed-pair'),
      signer(ed25519A, 'ed-pair'),
      signer(ed25519B, 'ed-shared'),
      signer(p256, 'ed-shared'),
      signer(ed25519A, 'ed-enc'),
      signer(ed448, 'ed-ops'),
      signer(ed25519B, undefined),
    ],
  },
];
