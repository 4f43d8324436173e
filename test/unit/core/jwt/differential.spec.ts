import { jest } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { contestants, type Contestants, judge } from '../../../support/oracle/differential.js';
import {
  claimCases,
  encodingCases,
  headerCases,
  keySetCases,
} from '../../../support/oracle/mutations.js';
import { STRICTER_RULES, type StricterRuleName } from '../../../support/oracle/stricter-rules.js';
import {
  build,
  type JosePool,
  type Recipe,
  signPool,
} from '../../../support/oracle/token-builder.js';
import { WORLDS } from '../../../support/oracle/worlds.js';

jest.setTimeout(120_000);

// Fixed, so a failure reproduces; fast-check prints the seed and path of any counterexample.
const SEED = 20_260_412;

// 20,000 cases in all.
const RUNS = { header: 5_000, claims: 7_000, encoding: 5_000, keySet: 3_000 };

describe('TokenVerifier against jose (differential, seeded)', () => {
  let pool: JosePool;
  let sides: Contestants[];
  const explained = new Map<StricterRuleName, number>();
  const accepted = new Set<string>();

  beforeAll(async () => {
    pool = await signPool();
    sides = WORLDS.map(contestants);
  });

  async function check(arbitrary: fc.Arbitrary<Recipe>, numRuns: number, seed: number) {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (recipe) => {
        const verdict = await judge(sides[recipe.world], build(recipe, pool));
        if (verdict.failure) throw new Error(verdict.failure);
        if (verdict.acceptedAlgorithm) accepted.add(verdict.acceptedAlgorithm);
        for (const rule of verdict.explainedBy ?? []) {
          explained.set(rule, (explained.get(rule) ?? 0) + 1);
        }
      }),
      { seed, numRuns },
    );
  }

  it(`agrees on ${RUNS.header} tokens with mutated headers`, async () => {
    await check(headerCases, RUNS.header, SEED);
  });

  it(`agrees on ${RUNS.claims} tokens with mutated claims`, async () => {
    await check(claimCases, RUNS.claims, SEED + 1);
  });

  it(`agrees on ${RUNS.encoding} tokens with mutated JSON texts and segment encodings`, async () => {
    await check(encodingCases, RUNS.encoding, SEED + 2);
  });

  it(`agrees on ${RUNS.keySet} tokens against shared kids, use/key_ops and kid-less sets`, async () => {
    await check(keySetCases, RUNS.keySet, SEED + 3);
  });

  // This and the next read what the four properties above counted, so they run after them (and
  // with them only).
  it('saw both accept tokens of every algorithm the worlds sign with', () => {
    const signed = new Set(WORLDS.flatMap((w) => w.signers.flatMap((s) => s.algorithms)));
    expect([...signed].filter((alg) => !accepted.has(alg))).toEqual([]);
    expect([...accepted]).toEqual(expect.arrayContaining(['EdDSA', 'Ed25519']));
  });

  it('found every stricter rule at work, and SECURITY.md lists each of them', () => {
    const names = Object.keys(STRICTER_RULES) as StricterRuleName[];
    expect(names.filter((name) => !explained.has(name))).toEqual([]);
    const security = readFileSync(new URL('../../../../SECURITY.md', import.meta.url), 'utf8');
    expect(names.filter((name) => !security.includes(`\`${name}\``))).toEqual([]);
  });
});
