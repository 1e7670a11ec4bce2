// One Jest run for the whole repository. Unit tests sit beside the code (*.spec.ts); integration and
// end-to-end tests live in each package's test/ folder (*.test.ts) and use the real PostgreSQL and
// NATS. Workspace libraries resolve to their TypeScript sources, so tests need no build of them;
// end-to-end tests start services from dist/, which `npm test` builds first.
const swcConfig = {
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2024',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
};

module.exports = {
  testEnvironment: 'node',
  // docs/model: the SPIN model of the saga and the messaging protocol, checked by its own test.
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/gateway', '<rootDir>/deploy', '<rootDir>/loadtests', '<rootDir>/docs/model'],
  testMatch: ['**/src/**/*.spec.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcConfig] },
  moduleNameMapper: {
    '^@storefront/deploy$': '<rootDir>/deploy/src',
    '^@storefront/([a-z-]+)$': '<rootDir>/libs/$1/src',
    // A package's second entry point (`@storefront/devstack/testing`).
    '^@storefront/([a-z-]+)/([a-z-]+)$': '<rootDir>/libs/$1/src/$2',
    // Prisma's generated client imports its siblings with .js suffixes.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60_000,
  // More than the 2 cores: the end-to-end suites mostly wait (DEVELOPERS.md, Tests).
  maxWorkers: 3,
  reporters: ['default', '<rootDir>/libs/testing/jest-summary-reporter.cjs'],
  // Servers and pools are closed by each test; this catches the ones that are not.
  forceExit: false,
};
