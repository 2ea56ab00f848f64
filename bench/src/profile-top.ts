// `node bench/dist/profile-top.js <file.cpuprofile> [n]`: the n functions with the most self time in a CPU profile
// (`BENCH_CPU_PROF=<dir>` makes one per server process), idle time left out.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [file, count = '25'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/dist/profile-top.js <file.cpuprofile> [n]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const self = new Map<string, number>();
let total = 0;
for (const id of profile.samples) {
  const frame = frames.get(id);
  if (frame === undefined || frame.functionName === '(idle)') continue;
  const where = frame.url === '' ? '' : ` ${frame.url.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}`;
  const name = `${frame.functionName || '(anonymous)'}${where}`;
  self.set(name, (self.get(name) ?? 0) + 1);
  total++;
}
console.log('| self % | function |\n|--:|---|');
for (const [name, samples] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`| ${((100 * samples) / total).toFixed(1)} | \`${name}\` |`);
}
