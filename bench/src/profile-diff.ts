// `node bench/dist/profile-diff.js <a.cpuprofile> <a µs/req> <b.cpuprofile> <b µs/req> [n] [--by-package]`: where two
// routes' server CPU per request differs. Each profile's self-time shares (idle left out) are scaled by the CPU per
// request measured in the same run (`profile.js` prints both), so each entry reads in µs per request; the n entries
// that differ most, with a total. Written for "ours vs the floor": `profile.js fastify floor`, then `… signature`.
import { selfShares } from './profile-summary.js';

const args = process.argv.slice(2);
const [fileA, cpuA, fileB, cpuB, count = '25'] = args.filter((arg) => !arg.startsWith('--'));
if (fileA === undefined || fileB === undefined || !(Number(cpuA) > 0) || !(Number(cpuB) > 0)) {
  console.error(
    'usage: node bench/dist/profile-diff.js <a.cpuprofile> <a µs/req> <b.cpuprofile> <b µs/req> [n] [--by-package]',
  );
  process.exit(2);
}
const by = args.includes('--by-package') ? 'package' : 'function';
const a = selfShares(fileA, by);
const b = selfShares(fileB, by);
const rows = [...new Set([...a.keys(), ...b.keys()])].map((name) => {
  const before = (a.get(name) ?? 0) * Number(cpuA);
  const after = (b.get(name) ?? 0) * Number(cpuB);
  return { name, before, after };
});
rows.sort((x, y) => Math.abs(y.after - y.before) - Math.abs(x.after - x.before));
const lines = [`| ${by} | a µs/req | b µs/req | b − a |`, '|---|--:|--:|--:|'];
for (const { name, before, after } of rows.slice(0, Number(count))) {
  lines.push(`| \`${name}\` | ${before.toFixed(1)} | ${after.toFixed(1)} | ${(after - before).toFixed(1)} |`);
}
lines.push(
  `| total | ${Number(cpuA).toFixed(1)} | ${Number(cpuB).toFixed(1)} | ${(Number(cpuB) - Number(cpuA)).toFixed(1)} |`,
);
console.log(lines.join('\n'));
