/** Unit specs sit beside the code; e2e specs drive the real app over HTTP against real PostgreSQL or PGlite. */
const swc = {
  swcrc: false,
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
    // Rewrites `src/…` imports at transform time, so global setup (outside jest's resolver) works too.
    baseUrl: __dirname,
    paths: { 'src/*': ['src/*'] },
  },
  module: { type: 'commonjs' },
};
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^src/(.*)$': '<rootDir>/src/$1',
    // The e2e uses the package from its source, as a service would use the built one.
    '^@flagdog/openfeature$': '<rootDir>/packages/openfeature/src/index.ts',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
const pglite = process.env.TEST_DATABASE === 'pglite';

module.exports = {
  // jest reads testTimeout at the top level only; it bounds the e2e suites' slow set-ups.
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    // Packages published from this repository (packages/*), tested without the app.
    { ...shared, displayName: 'packages', testMatch: ['<rootDir>/packages/*/test/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Several instances on one database need real PostgreSQL; PGlite is one process by design.
      testPathIgnorePatterns: pglite ? ['/node_modules/', '\\.postgres\\.e2e-spec\\.ts$'] : ['/node_modules/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 20,
    },
    {
      ...shared,
      displayName: 'browser',
      // The operator console in real Chromium (Debian's package) against the built app on PostgreSQL.
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
