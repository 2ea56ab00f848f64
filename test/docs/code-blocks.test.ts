import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BlockError, type CodeBlock, extractBlocks, repositoryBlocks, typeCheckBlocks } from './code-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A block that must fail in two places (lines 4 and 5 of its file), and a marked fragment that must be skipped. */
const canary = extractBlocks(
  'canary.md',
  [
    '# canary',
    '```ts',
    "import { KlingClient } from '@kling-webhooks/core';",
    'const secret: string = process.env.SECRET; // string | undefined',
    "new KlingClient({ apiKey: 'k' }, { nope: true });",
    '```',
    '<!-- not-compiled: a fragment -->',
    '```ts',
    'this is not TypeScript',
    '```',
  ].join('\n'),
);

describe('the code blocks of every README and docs/*.md', () => {
  let blocks: CodeBlock[];
  let errors: BlockError[];
  // One program for all blocks (loading the packages' sources is most of the cost).
  beforeAll(() => {
    blocks = repositoryBlocks(root);
    errors = typeCheckBlocks(root, join(root, 'test', `.doc-blocks-${process.pid}`), [...blocks, ...canary]);
  }, 60_000);

  it('type-check as written under strict, against the workspace packages', () => {
    // The READMEs hold at least this many blocks: a count this low means the extraction broke.
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const found = errors.filter((e) => e.file !== 'canary.md');
    expect(found.map((e) => `${e.file}:${e.line}: ${e.message}`)).toEqual([]);
  });

  it('the checker refuses what strict refuses, placed at its Markdown line, and skips marked fragments', () => {
    expect(canary).toHaveLength(1);
    expect(errors.filter((e) => e.file === 'canary.md').map((e) => e.line)).toEqual([4, 5]);
  });
});
