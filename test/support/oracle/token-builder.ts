import { constants, createHmac, type KeyObject, sign } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Algorithm } from '../../../lib/core/jose/algorithms.js';
import { ATTACKER, ISS, NOW, type Signer, type World, WORLDS } from './worlds.js';

/** A JSON value written as given, for what JSON.stringify cannot produce (1e400, -0, 1.0). */
export class RawJson {
  constructor(readonly text: string) {}
}

export type MemberEdit = { name: string; value: unknown } | { name: string; remove: true };

/** Edits of the JSON text itself, after the members are written. */
export type TextEdit =
  | { kind: 'duplicate'; name: string; value: unknown }
  | { kind: 'escaped-duplicate'; name: string }
  | { kind: 'bom' }
  | { kind: 'whitespace' }
  | { kind: 'bytes'; bytes: readonly number[] }
  | { kind: 'replace'; text: string }
  | { kind: 'trailing'; text: string };

/** Edits of one base64url segment's spelling. */
export type EncodingEdit =
  | { kind: 'pad'; count: number }
  | { kind: 'standard-alphabet' }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'spare-bits' }
  | { kind: 'drop-last' }
  | { kind: 'empty' };

export type SignatureMode =
  'jose' | 'resign' | 'attacker' | 'flip' | 'hmac-public' | 'der' | 'zeros' | 'none';

/** Everything one generated case is made of; `build` turns it into a token. */
export interface Recipe {
  world: number;
  signer: number;
  alg: number;
  header: MemberEdit[];
  claims: MemberEdit[];
  headerText: TextEdit | null;
  payloadText: TextEdit | null;
  encoding: { segment: 0 | 1 | 2; edit: EncodingEdit } | null;
  signature: SignatureMode;
  flipBit: number;
}

function baseHeader(world: World, signer: Signer, alg: Algorithm): Record<string, unknown> {
  const header: Record<string, unknown> = { alg, typ: world.typ ?? 'JWT' };
  if (signer.kid !== undefined) header.kid = signer.kid;
  return header;
}

function basePayload(world: World): Record<string, unknown> {
  return {
    iss: ISS,
    sub: 'alice',
    aud: Array.isArray(world.audience) ? world.audience[0] : world.audience || 'api',
    exp: NOW + 300,
    iat: NOW - 10,
    scope: 'notes:read notes:write',
    client_id: 'web',
    jti: 'token-1',
  };
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function signWith(alg: string, key: KeyObject, input: string): Buffer {
  const hash = HASH[alg.slice(2)];
  const data = Buffer.from(input, 'latin1');
  switch (alg.slice(0, 2)) {
    case 'Ed':
      return sign(null, data, key);
    case 'ES':
      return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
    case 'HS':
      return createHmac(hash, key).update(data).digest();
    case 'PS':
      return sign(hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    default:
      return sign(hash, data, key);
  }
}

/** The algorithm a re-signature uses: the header's, when the signer's key can make it. */
function signingAlgorithm(
  header: Record<string, unknown>,
  signer: Signer,
  base: Algorithm,
): string {
  const alg = header.alg;
  return typeof alg === 'string' && (signer.algorithms as readonly string[]).includes(alg)
    ? alg
    : base;
}

function writeObject(members: Record<string, unknown>): string {
  const parts = Object.entries(members).map(
    ([name, value]) =>
      `${JSON.stringify(name)}:${value instanceof RawJson ? value.text : JSON.stringify(value)}`,
  );
  return `{${parts.join(',')}}`;
}

function applyMembers(base: Record<string, unknown>, edits: MemberEdit[]): Record<string, unknown> {
  const out = { ...base };
  // defineProperty, not assignment: a `__proto__` edit must become a member, as JSON.parse makes it.
  for (const edit of edits) {
    if ('remove' in edit) delete out[edit.name];
    else
      Object.defineProperty(out, edit.name, {
        value: edit.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function writeJson(members: Record<string, unknown>, edit: TextEdit | null): Buffer {
  const text = writeObject(members);
  const inner = text.slice(0, -1);
  switch (edit?.kind) {
    case undefined:
      return Buffer.from(text);
    case 'duplicate':
      return Buffer.from(`${inner},${JSON.stringify(edit.name)}:${JSON.stringify(edit.value)}}`);
    case 'escaped-duplicate': {
      const escaped = [...edit.name].map((c, i) =>
        i === 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c,
      );
      return Buffer.from(
        `${inner},"${escaped.join('')}":${JSON.stringify(members[edit.name] ?? 1)}}`,
      );
    }
    case 'bom':
      return Buffer.from(`\uFEFF${text}`);
    case 'whitespace':
      return Buffer.from(` \n${text.replace(/":/g, '" :\t')}\r\n`);
    case 'bytes':
      // In a member of its own, so that nothing but the bytes themselves can get the token refused.
      return Buffer.concat([
        Buffer.from(`${inner},"note":"`),
        Buffer.from(edit.bytes),
        Buffer.from('"}'),
      ]);
    case 'replace':
      return Buffer.from(edit.text);
    case 'trailing':
      return Buffer.from(text + edit.text);
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function respell(segment: string, edit: EncodingEdit): string {
  switch (edit.kind) {
    case 'pad':
      return segment + '='.repeat(edit.count);
    case 'standard-alphabet':
      return segment.replace(/-/g, '+').replace(/_/g, '/');
    case 'insert': {
      const at = edit.at % (segment.length + 1);
      return segment.slice(0, at) + edit.text + segment.slice(at);
    }
    case 'spare-bits': {
      // The last character of a segment whose length is 2 or 3 mod 4 carries unused low bits.
      if (segment.length % 4 === 0 || segment.length % 4 === 1) return `${segment}A`;
      const last = ALPHABET.indexOf(segment[segment.length - 1]);
      return segment.slice(0, -1) + ALPHABET[last ^ 1];
    }
    case 'drop-last':
      return segment.slice(0, -1);
    case 'empty':
      return '';
  }
}

/** DER encoding of a raw R || S ECDSA signature: what many libraries produce, and JWS forbids. */
function toDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const integer = (bytes: Buffer): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    let body = bytes.subarray(start);
    if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const content = Buffer.concat([integer(raw.subarray(0, half)), integer(raw.subarray(half))]);
  const length =
    content.length < 128 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
  return Buffer.concat([Buffer.from([0x30]), length, content]);
}

function attackerKey(alg: string): KeyObject {
  if (alg.startsWith('HS')) return ATTACKER.secret;
  if (alg.startsWith('Ed')) return ATTACKER.ed25519.privateKey;
  const ec = ATTACKER.ec[alg as keyof typeof ATTACKER.ec];
  return ec ? ec.privateKey : ATTACKER.rsa.privateKey;
}

function signature(
  recipe: Recipe,
  header: Record<string, unknown>,
  input: string,
  joseToken: string,
): string {
  const world = WORLDS[recipe.world];
  const signer = world.signers[recipe.signer];
  const base = signer.algorithms[recipe.alg % signer.algorithms.length];
  const alg = signingAlgorithm(header, signer, base);
  const headerAlg = String(header.alg);
  switch (recipe.signature) {
    case 'jose':
      return joseToken.split('.')[2];
    case 'none':
      return '';
    case 'hmac-public': {
      const hash = HASH[headerAlg.slice(2)] ?? 'sha256';
      // An HMAC issuer has no public key to confuse: its secret stands in.
      const pem =
        signer.publicKey.type === 'secret'
          ? signer.publicKey.export()
          : signer.publicKey.export({ format: 'pem', type: 'spki' });
      return createHmac(hash, pem).update(input).digest('base64url');
    }
    case 'attacker':
      return signWith(alg, attackerKey(alg), input).toString('base64url');
    case 'zeros':
      return Buffer.alloc(signWith(alg, signer.privateKey, input).length).toString('base64url');
    default: {
      const sig = signWith(alg, signer.privateKey, input);
      if (recipe.signature === 'der' && alg.startsWith('ES'))
        return toDer(sig).toString('base64url');
      if (recipe.signature === 'flip')
        sig[recipe.flipBit % sig.length] ^= 1 << (recipe.flipBit % 8);
      return sig.toString('base64url');
    }
  }
}

/** Tokens signed by jose, one per world, signer and algorithm: the valid tokens cases start from. */
export type JosePool = ReadonlyMap<string, string>;

function poolKey(world: number, signer: number, alg: Algorithm): string {
  return `${world}/${signer}/${alg}`;
}

export async function signPool(): Promise<JosePool> {
  const pool = new Map<string, string>();
  for (const [w, world] of WORLDS.entries()) {
    for (const [s, signer] of world.signers.entries()) {
      for (const alg of signer.algorithms) {
        const header = baseHeader(world, signer, alg);
        const payload = basePayload(world);
        // jose will not sign with an RSA key under 2048 bits; node:crypto will.
        const weak = (signer.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) < 2048;
        const token = weak
          ? signedByNode(header, payload, alg, signer.privateKey)
          : await new SignJWT(payload)
              .setProtectedHeader(header as { alg: string })
              .sign(signer.privateKey);
        pool.set(poolKey(w, s, alg), token);
      }
    }
  }
  return pool;
}

function signedByNode(header: object, payload: object, alg: string, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${signWith(alg, key, input).toString('base64url')}`;
}

export function build(recipe: Recipe, pool: JosePool): string {
  const world = WORLDS[recipe.world];
  const signer = world.signers[recipe.signer];
  const alg = signer.algorithms[recipe.alg % signer.algorithms.length];
  const joseToken = pool.get(poolKey(recipe.world, recipe.signer, alg))!;
  const header = applyMembers(baseHeader(world, signer, alg), recipe.header);
  const payload = applyMembers(basePayload(world), recipe.claims);
  const segments = [
    writeJson(header, recipe.headerText).toString('base64url'),
    writeJson(payload, recipe.payloadText).toString('base64url'),
  ];
  const { encoding } = recipe;
  if (encoding && encoding.segment < 2)
    segments[encoding.segment] = respell(segments[encoding.segment], encoding.edit);
  const input = segments.join('.');
  let sig = signature(recipe, header, input, joseToken);
  if (encoding?.segment === 2) sig = respell(sig, encoding.edit);
  return `${input}.${sig}`;
}
