/**
 * Import rules of the packages (`npm run lint:deps`, part of `npm test`). The folders of
 * libs/hover-auth/src are layers; imports only run downwards:
 *
 *   exceptions, events  ←  token-endpoint  ←  tokens  ←  oauth, http  ←  guards, health, webhooks  ←  module (src/*.ts)
 *
 * (`hover-auth.constants.ts`, `hover-auth-options.interface.ts` and `config/` sit beside exceptions at
 * the bottom.) The emulator and hover-auth never import each other (they meet over HTTP, like the real
 * Hover), and nothing under libs/ imports from apps/ or test/.
 */
const SRC = '^libs/hover-auth/src';
const BOTTOM = `${SRC}/(exceptions/|hover-auth\\.constants\\.ts$|hover-auth-options\\.interface\\.ts$)`;
const layer = (name) => `${SRC}/${name}/`;
const notSpec = '\\.spec\\.ts$|/testing/';

/** `from` may import only its own folder, the given layers below it, and npm packages. */
function onlyDown(name, allowed) {
  return {
    name: `${name}-imports-only-lower-layers`,
    comment: `${name}/ may import only ${allowed.join(', ') || 'nothing else'} in hover-auth (layers run one way).`,
    severity: 'error',
    from: { path: layer(name), pathNot: notSpec },
    to: {
      path: `${SRC}/`,
      pathNot: [layer(name), BOTTOM, ...allowed.map(layer)],
    },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle between two modules says a concept is in the wrong one.',
      from: { path: '^libs/' },
      // Type-only imports vanish at compile time; a cycle made only of them is harmless.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'exceptions-are-a-leaf',
      severity: 'error',
      comment: 'exceptions/ imports nothing else of hover-auth.',
      from: { path: layer('exceptions'), pathNot: notSpec },
      to: { path: `${SRC}/`, pathNot: layer('exceptions') },
    },
    onlyDown('events', []),
    onlyDown('token-endpoint', []),
    onlyDown('tokens', ['token-endpoint', 'events']),
    onlyDown('oauth', ['token-endpoint', 'tokens', 'events']),
    onlyDown('http', ['tokens', 'events']),
    onlyDown('guards', ['tokens', 'oauth', 'http']),
    onlyDown('health', ['token-endpoint', 'tokens', 'http']),
    onlyDown('webhooks', ['tokens', 'http', 'events']),
    {
      name: 'libs-never-import-apps-or-tests',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(apps|test|bench)/' },
    },
    {
      name: 'hover-auth-and-emulator-meet-only-over-http',
      severity: 'error',
      from: { path: '^libs/hover-auth/' },
      to: { path: '^libs/hover-emulator/' },
    },
    {
      name: 'emulator-and-hover-auth-meet-only-over-http',
      severity: 'error',
      from: { path: '^libs/hover-emulator/' },
      to: { path: '^libs/hover-auth/' },
    },
    {
      name: 'sample-uses-only-package-entry-points',
      severity: 'error',
      comment: 'The sample imports the packages by name, exactly as a user would; never their files.',
      from: { path: '^apps/' },
      to: { path: '^libs/' , pathNot: '^libs/[^/]+/(src|dist)/index\\.(ts|js|d\\.ts)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
