import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const pkg = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  // esbuild drops decorator metadata, which Nest needs for constructor injection: swc keeps it.
  esbuild: false,
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  resolve: {
    // Tests run against the sources; the built packages are checked by publint/attw and the multi-process tests.
    alias: [
      { find: /^@kling-webhooks\/core\/adapter$/, replacement: pkg('core/src/adapter.ts') },
      { find: /^@kling-webhooks\/testing\/store-contract$/, replacement: pkg('testing/src/store-contract.ts') },
      {
        find: /^@kling-webhooks\/(bullmq|core|express|fastify|nestjs|redis|testing|web)$/,
        replacement: pkg('$1/src/index.ts'),
      },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The NestJS suites run a second time against NestJS 12, installed beside 11 in test/nest12.
    projects: [{ extends: true, test: { name: 'node' } }, './test/nest12/vitest.config.ts'],
    typecheck: { enabled: true, include: ['**/*.test-d.ts'], tsconfig: './tsconfig.typetest.json' },
  },
});
