import type { Options } from 'tsup';

/** One build shape for every package: ESM + CJS + declarations, Node 20. */
export function packageBuild(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    ...extra,
  };
}
