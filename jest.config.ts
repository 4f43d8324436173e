import { readdirSync } from 'node:fs';
import type { Config } from 'jest';

// Nest 12, jose and oidc-provider ship ES modules only, which Jest loads in its native ESM mode
// (node --experimental-vm-modules); ts-jest therefore emits ESM too.
//
// Tests get jose 5 (`jose-cjs`) for `jose`: the differential oracle (differential.spec.ts) is written
// against it; jose 6 refuses invalid UTF-8 as well, so the utf8_strict rule would never show there.
//
// With NEST_LINE=11 (npm run test:nest11) every @nestjs package that matrix/nest11 installs resolves to
// that copy of the Nest 11 line, for the library and the tests alike.
const nest11 = 'matrix/nest11/node_modules/@nestjs';
const nestLine =
  process.env.NEST_LINE === '11'
    ? { [`^@nestjs/(${readdirSync(nest11).join('|')})(/.*)?$`]: `<rootDir>/${nest11}/$1$2` }
    : {};

// Suites of what only Nest 12 does, left out of the Nest 11 run: TCP packet metadata (TcpContext has
// none in 11), exception events over the ws adapter (11 never sends them to the client; the handler
// is still refused), and the sample app's browser test, which is not the library's.
const nest12Only = [
  'test/unit/nest/transports/rpc.transport.spec.ts',
  'test/e2e/microservices/tcp.e2e-spec.ts',
  'test/e2e/websocket/ws-adapter.e2e-spec.ts',
  'test/e2e/websocket/named-policies.e2e-spec.ts',
  'test/e2e/websocket/resolver-trust.e2e-spec.ts',
  'test/e2e/sample-app/websocket.e2e-spec.ts',
  'test/e2e/sample-app/mcp-websocket.e2e-spec.ts',
  'test/e2e/sample-app/swagger-browser.e2e-spec.ts',
];

const shared = {
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.NEST_LINE === '11' ? nest12Only : [])],
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^jose$': 'jose-cjs', ...nestLine },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};

const config: Config = {
  // The e2e hooks start servers, issuers and Redis: a loaded CI machine has taken more than Jest's
  // default 5 s for one of them. (Jest reads this option only at the top level, not per project.)
  testTimeout: 30_000,
  // One worker, replaced once it holds more than this after a file: Jest's ESM mode keeps every
  // file's modules alive, and a single process running all suites (--runInBand) grew past 4 GB and
  // slowed to half speed in its garbage collections.
  workerIdleMemoryLimit: '1GB',
  reporters: ['default', '<rootDir>/test/support/skipped-tests.reporter.mjs'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    // Only runs that include e2e suites need chromium and redis-server: `npm run test:unit` goes
    // without them.
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/preflight.ts',
    },
  ],
};

export default config;
