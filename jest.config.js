/**
 * Two Jest projects: `unit` (specs next to the code, no network beyond 127.0.0.1) and `e2e`
 * (suites in test/ that start the emulator and the sample app over real HTTP and real databases).
 */
const moduleNameMapper = {
  '^@app/hover-auth(|/.*)$': '<rootDir>/libs/hover-auth/src$1',
  '^@app/hover-emulator(|/.*)$': '<rootDir>/libs/hover-emulator/src$1',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const common = { rootDir: __dirname, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], transform, moduleNameMapper };

module.exports = {
  // Global only: Jest ignores testTimeout inside a project. e2e suites start servers and a browser.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
