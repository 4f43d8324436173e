import type { KeyLoader } from './key-set.js';

/** How one fetch of an issuer's key set ended, for metrics. */
export type KeyFetchOutcome = 'success' | 'failure';

/** `load`, telling `report` how each fetch ended; the core itself knows nothing of metrics. */
export function reportingFetches(
  load: KeyLoader,
  report: (outcome: KeyFetchOutcome) => void,
): KeyLoader {
  return () =>
    load().then(
      (keys) => {
        report('success');
        return keys;
      },
      (err: unknown) => {
        report('failure');
        throw err;
      },
    );
}
