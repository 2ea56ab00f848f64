import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import rootConfig from '../../vitest.config.js';

/**
 * The NestJS suites again, on NestJS 12 (ESM-only), installed beside 11 in this workspace package. The adapter's
 * sources and the tests import `@nestjs/*` by name: the alias sends those imports to 12, and Nest's own packages
 * find 12 as their peers through pnpm's layout. Run: `pnpm exec vitest run --config test/nest12/vitest.config.ts`.
 */
const nest12 = createRequire(fileURLToPath(new URL('./package.json', import.meta.url)));
const nestAliases = ['common', 'core', 'platform-express', 'platform-fastify'].map((name) => {
  const entry = nest12.resolve(`@nestjs/${name}`);
  const { version } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string };
  if (!version.startsWith('12.')) throw new Error(`test/nest12 resolved @nestjs/${name} ${version}, not 12.x`);
  return { find: new RegExp(`^@nestjs/${name}$`), replacement: entry };
});
const rootAliases = rootConfig.resolve?.alias;
// Without `projects`, so that the root config may list this file as one of its projects.
const { projects: _projects, ...rootTest } = rootConfig.test ?? {};

export default defineConfig({
  ...rootConfig,
  resolve: {
    ...rootConfig.resolve,
    alias: [...nestAliases, ...(Array.isArray(rootAliases) ? rootAliases : [])],
  },
  test: {
    ...rootTest,
    name: 'nest12',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['packages/nestjs/test/**/*.test.ts', 'test/conformance/**/*.test.ts'],
    typecheck: { enabled: false },
  },
});
