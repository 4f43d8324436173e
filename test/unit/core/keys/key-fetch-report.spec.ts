import {
  type KeyFetchOutcome,
  reportingFetches,
} from '../../../../lib/core/keys/key-fetch-report.js';

describe('reportingFetches', () => {
  it('reports each fetch once, and passes its keys or its error on unchanged', async () => {
    const outcomes: KeyFetchOutcome[] = [];
    const failure = new Error('503 from the issuer');
    let fail = false;
    const load = reportingFetches(
      () => (fail ? Promise.reject(failure) : Promise.resolve([])),
      (outcome) => outcomes.push(outcome),
    );
    await expect(load()).resolves.toEqual([]);
    fail = true;
    await expect(load()).rejects.toBe(failure);
    expect(outcomes).toEqual(['success', 'failure']);
  });
});
