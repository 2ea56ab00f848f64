import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

type Frame = ProfileNode['callFrame'];

function functionOf(frame: Frame): string {
  const where = frame.url === '' ? '' : ` ${frame.url.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

/** The npm package a frame's code comes from: ours by workspace folder, Node's own as one entry. */
function packageOf(frame: Frame): string {
  const { url } = frame;
  if (url === '') return frame.functionName || '(anonymous)';
  if (url.startsWith('node:')) return 'Node.js (node:*)';
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules !== -1) {
    const [scope = '', name = ''] = url.slice(inModules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const ours = /\/packages\/([^/]+)\//.exec(url);
  if (ours !== null) return `@kling-webhooks/${ours[1]}`;
  return url.split('/').slice(-2).join('/');
}

/**
 * Each function's (or package's) share of the non-idle samples of a V8 CPU profile. A frame without a URL (the GC, a
 * native call such as `writev`) is its own entry in both views; native code called from JavaScript (OpenSSL under
 * `Hmac`, say) counts as its caller's.
 */
export function selfShares(file: string, by: 'function' | 'package'): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const frame = frames.get(id);
    if (frame === undefined || frame.functionName === '(idle)') continue;
    const name = by === 'package' ? packageOf(frame) : functionOf(frame);
    self.set(name, (self.get(name) ?? 0) + 1);
    total++;
  }
  for (const [name, samples] of self) self.set(name, samples / total);
  return self;
}

/** The `count` functions (or packages) with the most self time in a V8 CPU profile, idle time left out, as a table. */
export function selfTimeTable(file: string, by: 'function' | 'package', count: number): string {
  const lines = [`| self % | ${by} |`, '|--:|---|'];
  for (const [name, share] of [...selfShares(file, by)].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    lines.push(`| ${(100 * share).toFixed(1)} | \`${name}\` |`);
  }
  return lines.join('\n');
}
