import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** A TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in that file. */
  line: number;
  code: string;
}

/** One compiler error, placed in the Markdown file. */
export interface BlockError {
  file: string;
  line: number;
  message: string;
}

const fence = /^```(ts|typescript)\s*$/;
const optOut = /^<!--\s*not-compiled:\s*\S.*-->$/;

/**
 * The ```ts and ```typescript blocks of `markdown`, except those right after a `<!-- not-compiled: reason -->`
 * comment (deliberate fragments; the reason is required).
 */
export function extractBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i] ?? '')) continue;
    let previous = i - 1;
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--;
    const skipped = previous >= 0 && optOut.test((lines[previous] ?? '').trim());
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    if (!skipped) blocks.push({ file, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** Every README.md of the repository (outside node_modules and build output) and every docs/*.md. */
export function documentationFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'README.md') found.push(relative(root, path));
    }
  };
  walk(root);
  for (const entry of readdirSync(join(root, 'docs'))) if (entry.endsWith('.md')) found.push(join('docs', entry));
  return found.sort();
}

const packages = ['bullmq', 'core', 'express', 'fastify', 'nestjs', 'redis', 'testing', 'web'];

/**
 * Type-checks each block as its own ES module under `strict`, against the workspace packages' sources, in one
 * program. The blocks are written under `scratchDir` (inside the repository, so `express`, `ioredis` and the rest
 * resolve from its node_modules) and removed afterwards.
 */
export function typeCheckBlocks(root: string, scratchDir: string, blocks: readonly CodeBlock[]): BlockError[] {
  rmSync(scratchDir, { recursive: true, force: true });
  mkdirSync(scratchDir, { recursive: true });
  try {
    const where = new Map<string, CodeBlock>();
    blocks.forEach((block, i) => {
      const path = join(scratchDir, `block-${i}.ts`);
      // `export {}` makes each block a module of its own: top-level await works and names do not clash.
      writeFileSync(path, `${block.code}\nexport {};\n`);
      where.set(path, block);
    });
    const paths: Record<string, string[]> = {
      '@kling-webhooks/testing/store-contract': [join(root, 'packages/testing/src/store-contract.ts')],
    };
    for (const name of packages) paths[`@kling-webhooks/${name}`] = [join(root, `packages/${name}/src/index.ts`)];
    // Next.js (a dependency of examples/next-app) has no exports map, so NodeNext cannot resolve `next/server`;
    // Next.js apps resolve it as bundlers do.
    paths['next/server'] = [join(root, 'examples/next-app/node_modules/next/server.d.ts')];
    const program = ts.createProgram([...where.keys()], {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      skipLibCheck: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      noEmit: true,
      types: ['node'],
      paths,
    });
    const errors: BlockError[] = [];
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const source = diagnostic.file;
      const block = source ? where.get(source.fileName) : undefined;
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (!source || !block) {
        // An error outside the blocks (in a package's sources) is reported as is.
        errors.push({ file: source ? relative(root, source.fileName) : '(program)', line: 0, message });
        continue;
      }
      const { line } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      errors.push({ file: block.file, line: block.line + line, message });
    }
    return errors;
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/** Reads and extracts every documentation block of the repository. */
export function repositoryBlocks(root: string): CodeBlock[] {
  return documentationFiles(root).flatMap((file) => extractBlocks(file, readFileSync(join(root, file), 'utf8')));
}
