#!/usr/bin/env node
/**
 * `npm run test:packages`: tests @hover-auth/nestjs and @hover-auth/emulator as a stranger gets them,
 * from their packed tarballs, outside this repository:
 *  1. builds the libraries (`npm run build:libs`) and packs both workspaces into a temporary folder
 *     under os.tmpdir();
 *  2. checks each tarball's file list (package.json, README.md, LICENSE and compiled dist/ files only);
 *  3. runs publint (--strict) and arethetypeswrong (strict profile) on each tarball;
 *  4. copies the consumer app templates of test/consumer/ next to the tarballs, installs them from the
 *     registry plus the tarballs, compiles them with their own TypeScript, and runs their checks against
 *     a throwaway PostgreSQL database each: nest11-cjs (NestJS 11, CommonJS; a check program and the
 *     Jest e2e test that README.md shows) and nest12-esm (NestJS 12, ES modules; a check program);
 *  5. checks that README.md shows test/consumer/nest11-cjs/test/hover.e2e-spec.ts verbatim.
 * Prints one PASS/FAIL line per check with its time and ends with the line `N passed, M failed`; exits 1
 * when anything failed or could not run. The temporary folder and databases are removed even on failure
 * or Ctrl-C.
 *
 * Usage: node scripts/test-packages.mjs [--keep]   (--keep leaves the temporary folder for inspection)
 * Environment: HOVER_CONSUMER_POSTGRES_URL, an admin connection that may CREATE/DROP DATABASE
 *   (default postgres://postgres@127.0.0.1:5432/postgres, trust auth).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const KEEP = process.argv.includes('--keep');
const POSTGRES_ADMIN_URL = process.env.HOVER_CONSUMER_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const README_SPEC = 'test/consumer/nest11-cjs/test/hover.e2e-spec.ts';

/** The published workspaces; `tarball` is the stable file name the consumer templates depend on (`file:../packs/…`). */
const PACKAGES = [
  { name: '@hover-auth/nestjs', tarball: 'hover-auth-nestjs.tgz' },
  { name: '@hover-auth/emulator', tarball: 'hover-auth-emulator.tgz' },
];

/** Consumer apps under test/consumer/. `nest` is the @nestjs/core major the install must resolve to. */
const APPS = [
  { name: 'nest11-cjs', nest: 11, jest: true },
  { name: 'nest12-esm', nest: 12, jest: false },
];

const MINUTE = 60_000;
const results = [];
const notRun = [];
const cleanups = [];
const children = new Set();
/** Set on Ctrl-C / SIGTERM: nothing new is started while the cleanup runs. */
let stopping = false;
const scriptStart = performance.now();

// ---- checks -------------------------------------------------------------------------------------

/** Runs one named check: PASS when `fn` resolves (its string result is printed under the line), FAIL when it throws. */
async function check(name, fn) {
  const started = performance.now();
  console.log(`\n-> ${name}`);
  try {
    const note = await fn();
    const ms = performance.now() - started;
    results.push({ name, ok: true, ms });
    console.log(`PASS ${name} (${seconds(ms)})${typeof note === 'string' && note ? `\n${indent(note)}` : ''}`);
    return true;
  } catch (error) {
    const ms = performance.now() - started;
    const message = error instanceof Error ? error.message : String(error);
    results.push({ name, ok: false, ms, message });
    console.log(`FAIL ${name} (${seconds(ms)})\n${indent(message)}`);
    return false;
  }
}

function skip(names, reason) {
  for (const name of names) notRun.push({ name, reason });
}

// ---- step 1: build and pack ---------------------------------------------------------------------

async function buildLibraries() {
  await run('npm', ['run', 'build:libs'], { cwd: ROOT, timeoutMs: 5 * MINUTE });
}

/** `npm pack` of one workspace into `packs`, renamed to the stable name the templates use. */
async function pack(pkg, packs) {
  // --ignore-scripts: the libraries were just built by build:libs; their `prepack` would rebuild them
  // (rm -rf dist && tsc) a second time for nothing.
  const output = await run('npm', ['pack', '-w', pkg.name, '--ignore-scripts', '--pack-destination', packs, '--json'], {
    cwd: ROOT,
    timeoutMs: 2 * MINUTE,
  });
  const [info] = JSON.parse(output.stdout);
  const file = join(packs, pkg.tarball);
  renameSync(join(packs, info.filename), file);
  return { ...pkg, file, version: info.version, size: info.size, entryCount: info.entryCount };
}

// ---- step 2: tarball contents -------------------------------------------------------------------

const ALWAYS_REQUIRED = ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts'];

/** Only package.json, README.md, LICENSE and dist/ files ending in .js, .d.ts or .js.map; no specs or test helpers. */
function isAllowedEntry(path) {
  if (['package/package.json', 'package/README.md', 'package/LICENSE'].includes(path)) return true;
  if (!/^package\/dist\/.+\.(js|d\.ts|js\.map)$/.test(path)) return false;
  return !/(\.spec\.|\.e2e-spec\.|\/testing\/|\/__tests__\/)/.test(path);
}

async function checkTarballContents(packed) {
  const listing = (await run('tar', ['-tzf', packed.file], { quiet: true })).stdout.split('\n').filter(Boolean);
  const files = listing.filter((entry) => !entry.endsWith('/'));
  const problems = [];
  const unexpected = files.filter((entry) => !isAllowedEntry(entry));
  if (unexpected.length) problems.push(`unexpected files (${unexpected.length}): ${unexpected.slice(0, 20).join(', ')}${unexpected.length > 20 ? ', …' : ''}`);
  const missing = ALWAYS_REQUIRED.filter((entry) => !files.includes(entry));
  if (missing.length) problems.push(`missing: ${missing.join(', ')}`);
  // Every "bin" target must be in the tarball and start with a node shebang, or `npx <bin>` fails.
  const manifest = JSON.parse((await run('tar', ['-xzOf', packed.file, 'package/package.json'], { quiet: true })).stdout);
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [bin, target] of Object.entries(bins)) {
    const entry = `package/${target.replace(/^\.\//, '')}`;
    if (!files.includes(entry)) {
      problems.push(`bin "${bin}" points at ${target}, which is not in the tarball`);
      continue;
    }
    const firstLine = (await run('tar', ['-xzOf', packed.file, entry], { quiet: true })).stdout.split('\n')[0];
    if (firstLine !== '#!/usr/bin/env node') problems.push(`bin "${bin}" (${target}) does not start with "#!/usr/bin/env node" (got ${JSON.stringify(firstLine.slice(0, 60))})`);
  }
  if (problems.length) throw new Error(`${problems.join('; ')} (in ${packed.file})`);
  return `${files.length} files, ${(packed.size / 1024).toFixed(1)} KiB packed: package.json, README.md, LICENSE, dist/**/*.{js,d.ts,js.map}${Object.keys(bins).length ? `; bin ${Object.keys(bins).join(', ')} ok` : ''}`;
}

// ---- step 3: publint and attw -------------------------------------------------------------------

async function runPublint(packed) {
  // publint lints a tarball path directly (`publint run <dir|tarball>`); --strict turns warnings into errors.
  const output = await run(bin('publint'), ['run', packed.file, '--strict'], { cwd: ROOT, timeoutMs: 2 * MINUTE, quiet: true });
  return publintNotes(output.stdout);
}

/** publint's suggestions (never errors) are worth reading; its progress lines are not. */
function publintNotes(stdout) {
  const lines = stdout.split('\n').filter((line) => line.trim() && !/^(Running publint|Unpacking tarball|Linting\.\.\.|All good)/.test(line));
  return lines.length ? lines.join('\n') : '0 errors, 0 warnings, 0 suggestions';
}

async function runAttw(packed) {
  // The default "strict" profile: every resolution mode (node10, node16 from CJS and from ESM, bundler)
  // must find correct types. Both packages are CommonJS with `exports` + `types`, which every mode
  // resolves, so no profile or ignored rule is needed. --no-definitely-typed: the packages ship their own
  // types, so there is no @types package to look up.
  const output = await run(bin('attw'), [packed.file, '--format', 'table-flipped', '--no-color', '--no-emoji', '--no-definitely-typed'], {
    cwd: ROOT,
    timeoutMs: 2 * MINUTE,
    quiet: true,
  });
  return output.stdout.trim();
}

// ---- step 4: consumer apps ----------------------------------------------------------------------

/** Installs, compiles and checks one consumer app. Returns nothing; each step is its own check. */
async function testConsumerApp(app, work) {
  const dir = join(work, app.name);
  const steps = [`${app.name}: copy template`, `${app.name}: npm install`, `${app.name}: tsc`, `${app.name}: check program`];
  if (app.jest) steps.push(`${app.name}: jest ${relative(join(ROOT, 'test/consumer', app.name), join(ROOT, README_SPEC))}`);
  const [copyStep, installStep, buildStep, checkStep, jestStep] = steps;

  if (!(await check(copyStep, () => copyTemplate(app, dir)))) return skip(steps.slice(1), `${copyStep} failed`);
  const installed = await check(installStep, async () => {
    await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: consumerEnv(), timeoutMs: 6 * MINUTE });
    return describeInstall(app, dir);
  });
  if (!installed) return skip(steps.slice(2), `${installStep} failed`);
  const built = await check(buildStep, async () => {
    await run(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, env: consumerEnv(), timeoutMs: 3 * MINUTE });
    return 'compiled with the app\'s own TypeScript, strict, skipLibCheck off (the packages\' .d.ts files are type-checked)';
  });
  if (!built) return skip(steps.slice(3), `${buildStep} failed`);

  await check(checkStep, () =>
    withDatabase(app.name, async (databaseUrl) => {
      // The check exits by itself once it has closed the app and the emulator; a hang past the timeout
      // means a handle stayed open after app.close().
      const output = await run('node', ['dist/check/check.js'], { cwd: dir, env: consumerEnv({ DATABASE_URL: databaseUrl }), timeoutMs: 2 * MINUTE });
      return output.stdout.split('\n').filter((line) => line.startsWith('  ok - ')).map((line) => line.trim()).join('\n');
    }),
  );
  if (jestStep) {
    await check(jestStep, () =>
      withDatabase(app.name, async (databaseUrl) => {
        const output = await run(join(dir, 'node_modules/.bin/jest'), ['--config', './test/jest-e2e.json', '--ci', '--verbose'], {
          cwd: dir,
          env: consumerEnv({ DATABASE_URL: databaseUrl }),
          timeoutMs: 3 * MINUTE,
        });
        return output.stderr.split('\n').filter((line) => /^\s+(✓|✕|√|×)|^Tests:/.test(line)).map((line) => line.trim()).join('\n');
      }),
    );
  }
}

/**
 * Copies test/consumer/<app> to the temporary folder (without build output or installs) after making
 * sure no source file imports anything outside the app: the apps may only use what they install.
 */
function copyTemplate(app, dir) {
  const template = join(ROOT, 'test/consumer', app.name);
  const sources = listFiles(template).filter((file) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(file));
  const escapes = [];
  for (const file of sources) {
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const specifier = match[1];
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue;
      const target = resolve(dirname(file), specifier);
      if (relative(template, target).startsWith('..') || specifier.startsWith('/')) escapes.push(`${relative(ROOT, file)} imports ${specifier}`);
    }
  }
  if (escapes.length) throw new Error(`the consumer app must not import files outside itself:\n${escapes.join('\n')}`);
  cpSync(template, dir, {
    recursive: true,
    filter: (source) => !/(^|[\\/])(node_modules|dist|package-lock\.json)$/.test(relative(template, source)),
  });
  return `${sources.length} source files, none importing outside the app -> ${dir}`;
}

/** What npm resolved: the Nest major must be the app's, and both packages must come from the tarballs. */
function describeInstall(app, dir) {
  const version = (name) => JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  const nest = version('@nestjs/core');
  if (Number(nest.split('.')[0]) !== app.nest) throw new Error(`npm resolved @nestjs/core ${nest}, expected ${app.nest}.x`);
  for (const pkg of PACKAGES) {
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    const resolved = lock.packages?.[`node_modules/${pkg.name}`]?.resolved ?? '';
    if (!resolved.endsWith(pkg.tarball)) throw new Error(`${pkg.name} was not installed from ../packs/${pkg.tarball} (package-lock says ${resolved || 'nothing'})`);
  }
  const names = ['@nestjs/common', '@nestjs/axios', '@nestjs/typeorm', 'typeorm', 'typescript'].map((name) => `${name} ${version(name)}`);
  return `@nestjs/core ${nest}, ${names.join(', ')}; @hover-auth/* from the tarballs`;
}

/** Environment of a consumer process: none of npm's variables or this repository's PATH entries, no browser downloads. */
function consumerEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_PATH') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry && relative(ROOT, resolve(entry)).startsWith('..'))
    .join(delimiter);
  return {
    ...env,
    PUPPETEER_SKIP_DOWNLOAD: '1',
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
    CYPRESS_INSTALL_BINARY: '0',
    ...extra,
  };
}

// ---- step 5: README -----------------------------------------------------------------------------

function checkReadme() {
  const spec = readFileSync(join(ROOT, README_SPEC), 'utf8').replace(/\r\n/g, '\n').trimEnd();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\r\n/g, '\n');
  if (!readme.includes(`\`\`\`ts\n${spec}\n\`\`\``)) {
    throw new Error(
      `README.md does not contain ${README_SPEC} verbatim inside a \`\`\`ts block. ` +
        `Paste that file, unchanged, into README.md's "Use the emulator in your own tests" section ` +
        `(this check is expected to fail until it is pasted, and again whenever the file changes).`,
    );
  }
  return `${spec.split('\n').length} lines found verbatim`;
}

// ---- databases ----------------------------------------------------------------------------------

/** Creates `hover_consumer_<app>_<random>`, runs `fn(url)`, and drops the database whatever happens. */
async function withDatabase(appName, fn) {
  const name = `hover_consumer_${appName.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const drop = () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  cleanups.push(drop); // also dropped on Ctrl-C or a crash
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await drop();
    cleanups.splice(cleanups.indexOf(drop), 1);
  }
}

async function admin(sql) {
  if (stopping && sql.startsWith('CREATE')) throw new Error('not creating a database (stopping)');
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
    await client.query(sql);
  } catch (error) {
    throw new Error(`PostgreSQL (${POSTGRES_ADMIN_URL}): ${sql}: ${error.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---- processes ----------------------------------------------------------------------------------

/**
 * Runs a command, echoing it, and resolves with its output. Rejects with the last 60 lines of output
 * when it exits non-zero or outlives `timeoutMs` (the whole process group is killed then).
 */
function run(command, args, { cwd = ROOT, env = process.env, timeoutMs = 5 * MINUTE, quiet = false } = {}) {
  const inside = isAbsolute(command) && !relative(cwd, command).startsWith('..');
  const shown = [inside ? relative(cwd, command) : command, ...args].join(' ');
  if (stopping) return Promise.reject(new Error(`${shown}: not started (stopping)`));
  if (!quiet) console.log(`   $ ${shown}   (in ${cwd})`);
  return new Promise((resolvePromise, reject) => {
    // detached: each command leads its own process group, so a timeout or Ctrl-C kills all it started.
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.closed = new Promise((resolveClosed) => child.once('close', resolveClosed));
    children.add(child);
    let stdout = '';
    let stderr = '';
    let combined = '';
    child.stdout.on('data', (chunk) => ((stdout += chunk), (combined += chunk)));
    child.stderr.on('data', (chunk) => ((stderr += chunk), (combined += chunk)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`${shown}: could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0 && !timedOut) return resolvePromise({ stdout, stderr });
      const why = timedOut ? `did not finish within ${seconds(timeoutMs)} (killed)` : `exited with ${code ?? signal}`;
      reject(new Error(`${shown} ${why}; last output:\n${tail(combined.replace(/\x1b\[[0-9;]*m/g, ''), 60)}`));
    });
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function bin(name) {
  return join(ROOT, 'node_modules/.bin', name);
}

// ---- helpers ------------------------------------------------------------------------------------

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n');
}

function tail(text, lines) {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

/** Refuses a temporary folder inside the repository, or one under a node_modules an app could resolve from. */
function assertOutsideRepository(dir) {
  if (!relative(ROOT, dir).startsWith('..')) throw new Error(`temporary folder ${dir} is inside the repository ${ROOT}; set TMPDIR elsewhere`);
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    if (existsSync(join(parent, 'node_modules'))) throw new Error(`${join(parent, 'node_modules')} exists above the temporary folder; the consumer apps could resolve packages from it. Set TMPDIR elsewhere.`);
    if (dirname(parent) === parent) break;
  }
}

async function cleanUp() {
  const running = [...children];
  for (const child of running) killGroup(child);
  if (running.length) {
    let timer;
    await Promise.race([Promise.all(running.map((child) => child.closed)), new Promise((done) => (timer = setTimeout(done, 5000)))]);
    clearTimeout(timer);
  }
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.log(`cleanup failed: ${error.message}`);
    }
  }
}

function printSummary() {
  console.log('\n== Summary');
  for (const result of results) {
    console.log(`${result.ok ? 'PASS' : 'FAIL'}  ${result.name}  (${seconds(result.ms)})${result.ok ? '' : `: ${result.message.split('\n')[0]}`}`);
  }
  for (const { name, reason } of notRun) console.log(`NOT RUN  ${name}  (${reason})`);
  const failed = results.filter((result) => !result.ok).length;
  console.log(`total time ${seconds(performance.now() - scriptStart)}`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && notRun.length === 0;
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'hover-auth-packages-')));
  cleanups.push(() => (KEEP ? console.log(`kept ${work} (--keep)`) : rmSync(work, { recursive: true, force: true, maxRetries: 3 })));
  console.log(`test:packages: repository ${ROOT}, temporary folder ${work}${KEEP ? ' (kept)' : ''}`);
  assertOutsideRepository(work);

  await check(`README.md shows ${README_SPEC} verbatim`, checkReadme);

  if (!(await check('build: npm run build:libs', buildLibraries))) {
    skip(['pack, tarball checks, publint, attw and consumer apps'], 'the build failed');
    return;
  }

  const packs = join(work, 'packs');
  mkdirSync(packs);
  const packed = [];
  for (const pkg of PACKAGES) {
    let result;
    const ok = await check(`pack ${pkg.name}`, async () => {
      result = await pack(pkg, packs);
      return `${result.file} (${pkg.name}@${result.version}, ${result.entryCount} entries)`;
    });
    if (ok) packed.push(result);
    else skip([`tarball contents, publint and attw of ${pkg.name}`], `pack ${pkg.name} failed`);
  }

  for (const item of packed) {
    await check(`tarball contents ${item.name}`, () => checkTarballContents(item));
    await check(`publint --strict ${item.name}`, () => runPublint(item));
    await check(`attw (profile strict) ${item.name}`, () => runAttw(item));
  }

  if (packed.length !== PACKAGES.length) {
    skip(APPS.map((app) => `${app.name} consumer app`), 'a package could not be packed');
    return;
  }
  // The two apps install and run in parallel: installs wait on the network, and each check has its own
  // emulator, free port and database.
  console.log(`\n== consumer apps (${APPS.map((app) => app.name).join(', ')}) in parallel`);
  await Promise.all(APPS.map((app) => testConsumerApp(app, work)));
}

for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]]) {
  process.on(signal, async () => {
    stopping = true;
    console.log(`\n${signal}: cleaning up`);
    await cleanUp();
    process.exit(128 + number);
  });
}

let ok = false;
try {
  await main();
} catch (error) {
  results.push({ name: 'test-packages script', ok: false, ms: 0, message: error?.stack ?? String(error) });
  console.log(`FAIL test-packages script crashed:\n${indent(error?.stack ?? String(error))}`);
} finally {
  await cleanUp();
  ok = printSummary();
}
process.exitCode = ok ? 0 : 1;
