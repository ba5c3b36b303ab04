/**
 * Two Jest projects: `unit` (specs next to the code, no network beyond 127.0.0.1) and `e2e`
 * (suites in test/ that start the emulator and the sample app over real HTTP and real databases).
 * The package names map to the libraries' sources (as in tsconfig.json), so tests need no build; the
 * built packages themselves are tested from their tarballs by `npm run test:packages`.
 */
const moduleNameMapper = {
  '^@hover-auth/nestjs$': '<rootDir>/libs/hover-auth/src/index.ts',
  '^@hover-auth/emulator$': '<rootDir>/libs/hover-emulator/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/libs/.*/dist/', '<rootDir>/apps/.*/dist/'],
  // test/consumer/ holds templates of fresh apps that `npm run test:packages` copies out of the repo
  // and runs there against the packed tarballs; they never run inside this Jest.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/'],
};

module.exports = {
  // Global only: Jest ignores testTimeout inside a project. e2e suites start servers and a browser.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/*/src/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
