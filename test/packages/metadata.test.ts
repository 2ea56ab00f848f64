import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface PackageJson {
  name: string;
  private?: boolean;
  license?: string;
  files?: string[];
  keywords?: string[];
  homepage?: string;
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
}

const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as PackageJson,
  }))
  .filter((entry) => !entry.pkg.private);

describe('every published package', () => {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');

  it('there are published packages, and the root LICENSE is MIT', () => {
    expect(published.map((p) => p.pkg.name)).toContain('@kling-webhooks/core');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} kling-webhooks contributors\n/);
  });

  it.each(published.map((p) => [p.pkg.name, p] as const))(
    '%s ships the root LICENSE and says where it lives',
    (_name, { dir, pkg }) => {
      expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toBe(license);
      expect(pkg.license).toBe('MIT');
      expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
      expect(existsSync(join(root, 'packages', dir, 'README.md'))).toBe(true);
      expect(pkg.repository).toEqual({
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/),
        directory: `packages/${dir}`,
      });
      const web = pkg.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
      expect(pkg.homepage).toBe(`${web}/tree/main/packages/${dir}#readme`);
      expect(pkg.bugs).toEqual({ url: `${web}/issues` });
      expect(pkg.keywords).toEqual(expect.arrayContaining(['kling', 'webhook']));
    },
  );
});
