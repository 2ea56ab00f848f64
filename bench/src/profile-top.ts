// `node bench/dist/profile-top.js <file.cpuprofile> [n] [--by-package]`: the n functions (or packages) with the most
// self time in a CPU profile (`BENCH_CPU_PROF=<dir>` makes one per server process), idle time left out.
import { selfTimeTable } from './profile-summary.js';

const args = process.argv.slice(2);
const [file, count = '25'] = args.filter((arg) => !arg.startsWith('--'));
if (file === undefined) {
  console.error('usage: node bench/dist/profile-top.js <file.cpuprofile> [n] [--by-package]');
  process.exit(2);
}
console.log(selfTimeTable(file, args.includes('--by-package') ? 'package' : 'function', Number(count)));
