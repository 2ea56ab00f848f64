import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { packageBuild } from '../../tsup.shared';

/**
 * The web build (Workers, Next.js edge, browsers): a relative import of `x.js` whose `x.web.ts` exists is bundled from
 * that file instead (Web Crypto verifiers, no Buffer, no node:*). Chosen once, by the package's export conditions.
 */
const webVariants: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'kling-web-variants',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const web = resolve(dirname(args.importer), args.path.replace(/\.js$/, '.web.ts'));
      return existsSync(web) ? { path: web } : undefined;
    });
  },
};

export default defineConfig([
  packageBuild(
    { index: 'src/index.ts', adapter: 'src/adapter.ts' },
    // Shared chunks: a class (KlingBodyTimeoutError, KlingValidationError) must be one class for both entry points.
    // The web build's folder is its own to clean.
    { splitting: true, clean: ['!web/**'] },
  ),
  {
    entry: { index: 'src/index.ts', adapter: 'src/adapter.ts' },
    outDir: 'dist/web',
    format: ['esm'],
    // Types are the Node build's (the same declarations): see package.json's export conditions.
    dts: false,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: true,
    external: ['jose', 'zod'],
    esbuildPlugins: [webVariants],
  },
]);
