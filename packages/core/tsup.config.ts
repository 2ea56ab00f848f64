import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', adapter: 'src/adapter.ts' },
    // Shared chunks: a class (KlingBodyTimeoutError, KlingValidationError) must be one class for both entry points.
    { splitting: true },
  ),
);
