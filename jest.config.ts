import type { Config } from 'jest';

// Nest 12, jose and oidc-provider ship ES modules only, which Jest loads in its native ESM mode
// (node --experimental-vm-modules); ts-jest therefore emits ESM too.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};

const config: Config = {
  reporters: ['default', '<rootDir>/test/support/skipped-tests.reporter.mjs'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};

export default config;
