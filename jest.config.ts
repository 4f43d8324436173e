import type { Config } from 'jest';

// Nest 12, jose and oidc-provider ship ES modules only, which Jest loads in its native ESM mode
// (node --experimental-vm-modules); ts-jest therefore emits ESM too.
//
// jwks-rsa is CommonJS and require()s jose 6, which is ESM-only. Node >= 20.19 allows that, but Jest
// emulates require() and supports require(esm) only from Node 24.9. Under Jest alone, jose resolves
// to jose 5 (`jose-cjs`), which also ships CommonJS and has the same importJWK/exportSPKI API.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^jose$': 'jose-cjs' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};

const config: Config = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};

export default config;
