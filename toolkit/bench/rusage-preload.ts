/**
 * Loaded with `node --import` into a process the generator bench measures: when it exits, it
 * writes its own CPU time and peak resident set to the file named by QHAL_BENCH_RUSAGE (a
 * child's resource use is not otherwise visible to Node's spawn).
 */
import fs from 'node:fs';

const out = process.env.QHAL_BENCH_RUSAGE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(
      out,
      JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS }),
    );
  });
}
