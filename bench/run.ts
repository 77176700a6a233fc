// `npm run bench`: every benchmark in one run, a table on stdout, and bench/results.json.
// Options: --only=ack,bake,pull,apply,notify,process (default: all); --idle-seconds=N: how long the process section
// lets the bot idle while sampling its RSS (default 45; e.g. 420 for a soak).
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchAckRepeated } from './ack.js';
import { benchApply } from './apply.js';
import { benchBake, benchPull } from './bake.js';
import { REPO_ROOT } from './lib/child.js';
import { cpuBusy, load, machine } from './lib/proc.js';
import { printTable, type Row, targetRows } from './lib/report.js';
import { benchNotify } from './notify.js';
import { benchProcess } from './process.js';

const SECTIONS = ['bake', 'pull', 'ack', 'notify', 'apply', 'process'] as const;
type Section = (typeof SECTIONS)[number];

const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter((name): name is Section => (SECTIONS as readonly string[]).includes(name));
const selected = new Set<Section>(only && only.length > 0 ? only : SECTIONS);

const idleArg = process.argv.find((arg) => arg.startsWith('--idle-seconds='))?.slice('--idle-seconds='.length);
const idleSeconds = idleArg === undefined ? 45 : Math.max(15, Number.parseInt(idleArg, 10) || 45);

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const runners: Record<Section, () => Promise<unknown>> = {
  bake: () => benchBake({ seeds: 40 }),
  pull: () => benchPull(),
  ack: () => benchAckRepeated(3, { requests: 500, concurrency: 200, warmup: 100, serialRequests: 100 }),
  notify: () => benchNotify({ users: 2_000, tiers: 20, limitPerSecond: 100, random429: 0.01, seed: 7 }),
  apply: () => benchApply({ sizes: [200, 2_000, 20_000], fullLimitSeconds: 15, sample: 50, log }),
  process: () => benchProcess({ settleMs: idleSeconds * 1000, log }),
};

async function main(): Promise<void> {
  const startedAt = new Date();
  log(`sampling machine load for 2 s before starting (others' work: nothing of ours runs yet)`);
  const before = { loadavg_1_5_15: load(), cpu_busy_fraction: await cpuBusy(2_000) };
  const results: Record<string, unknown> = {};
  const sections: Record<string, unknown> = {};
  for (const name of SECTIONS) {
    if (!selected.has(name)) continue;
    log(`${name}: running`);
    const start = performance.now();
    const loadAtStart = load();
    try {
      const value = await runners[name]();
      if (name === 'apply') {
        const { sizes, ...rest } = value as { sizes: unknown[] };
        results.apply = sizes;
        results.apply_server = rest;
      } else results[name] = value;
    } catch (error) {
      results[name] = { error: (error as Error).stack?.split('\n').slice(0, 4).join(' | ') ?? String(error) };
      log(`${name}: FAILED ${(error as Error).message}`);
    }
    sections[name] = { seconds: Math.round((performance.now() - start) / 100) / 10, loadavg_at_start: loadAtStart };
  }
  const report = {
    generated_at: startedAt.toISOString(),
    command: 'npm run bench',
    total_seconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    machine: machine(),
    load: { before, after: load(), sections },
    ...results,
  };
  const rows: Row[] = targetRows(report);
  printTable(rows);
  const path = join(REPO_ROOT, 'bench', 'results.json');
  await writeFile(`${path}.tmp`, `${JSON.stringify({ ...report, targets: rows }, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  log(`wrote ${path} (${report.total_seconds} s)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
