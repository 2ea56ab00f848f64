// `next build` for the two Next.js apps the tests start (test/next-app, the web-runtimes fixture; examples/next-app),
// once, before vitest starts: a build keeps both cores busy for half a minute, which would otherwise overlap the
// suites that time their answers. The test files skip their own build when KLING_NEXT_APPS_BUILT=1.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const apps = [
  { dir: 'test/next-app', env: {} },
  // Next.js loads the route module while building: any usable secret will do; `next start` reads the real one.
  { dir: 'examples/next-app', env: { KLING_WEBHOOK_SECRET: 'whsec_YnVpbGQtdGltZS1vbmx5LXNlY3JldC0zMmJ5dGVz' } },
];

/** Builds both apps; throws with the build's output when one fails. */
export function buildNextApps() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const { dir, env } of apps) {
    const cwd = `${root}${dir}`;
    const started = Date.now();
    const build = spawnSync(process.execPath, [`${cwd}/node_modules/next/dist/bin/next`, 'build'], {
      cwd,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (build.status !== 0) throw new Error(`next build in ${dir} failed:\n${build.stdout}${build.stderr}`);
    console.log(`next build in ${dir}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
