// The bench's table: every headline figure next to its target (issue 7) and whether this run met it.

export interface Row {
  metric: string;
  value: number | string | null;
  target: string;
  status: 'met' | 'MISSED' | '' | 'n/a';
}

type Json = Record<string, unknown>;

function get(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Json)[key];
  }
  return node;
}

interface Target {
  text: string;
  ok: (v: number) => boolean;
  /** A missing value means the target was missed (the run did not finish), not that it was not measured. */
  missingIsMiss?: boolean;
}

function row(report: Json, metric: string, path: string, target?: Target): Row {
  const raw = get(report, path);
  const value = typeof raw === 'number' || typeof raw === 'string' ? raw : null;
  if (!target) return { metric, value, target: '', status: '' };
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { metric, value, target: target.text, status: target.missingIsMiss ? 'MISSED' : 'n/a' };
  }
  return { metric, value, target: target.text, status: target.ok(value) ? 'met' : 'MISSED' };
}

const atMost = (limit: number, unit = '') => ({ text: `≤ ${limit}${unit}`, ok: (v: number) => v <= limit });
const equals = (wanted: number) => ({ text: `= ${wanted}`, ok: (v: number) => v === wanted });

export function targetRows(report: Json): Row[] {
  const rows: Row[] = [
    row(report, 'ack.p50_ms', 'ack.p50_ms'),
    row(report, 'ack.p99_ms (200 concurrent)', 'ack.p99_ms', atMost(50, ' ms')),
    row(report, 'ack.bare_bolt_p99_ms', 'ack.bare_bolt_p99_ms'),
    row(report, 'ack.ratio_p99', 'ack.ratio_p99', atMost(1.5)),
    row(report, 'ack.max_ms', 'ack.max_ms', { text: '< 3000 ms', ok: (v) => v < 3_000 }),
    row(report, 'ack.p99_ms one at a time (real)', 'ack.one_at_a_time.real.p99_ms', atMost(50, ' ms')),
    row(report, 'bake.overhead_ratio', 'bake.overhead_ratio', atMost(1.02)),
    row(report, 'bake.detect_lag_median_s', 'bake.detect_lag_median_s', atMost(2, ' s')),
    row(report, 'pull.sequential_s', 'pull.sequential_s'),
    row(report, 'pull.concurrent_s', 'pull.concurrent_s'),
    row(report, 'pull.speedup', 'pull.speedup'),
  ];
  const apply = Array.isArray(report.apply) ? (report.apply as Json[]) : [];
  for (const [i, entry] of apply.entries()) {
    const tiers = entry.tiers as number;
    const big = tiers >= 20_000;
    rows.push(
      row(
        report,
        `apply[${tiers}].seconds`,
        `apply.${i}.seconds`,
        big ? { ...atMost(3, ' s'), missingIsMiss: true } : undefined,
      ),
    );
    rows.push(
      row(
        report,
        `apply[${tiers}].round_trips`,
        `apply.${i}.round_trips`,
        big ? { text: 'constant', ok: (v) => v <= 10, missingIsMiss: true } : undefined,
      ),
    );
    rows.push(row(report, `apply[${tiers}].loop_seconds`, `apply.${i}.loop_seconds`));
  }
  rows.push(
    row(report, 'notify.users', 'notify.users'),
    row(report, 'notify.seconds', 'notify.seconds'),
    row(report, 'notify.lost', 'notify.lost', equals(0)),
    row(report, 'notify.duplicates', 'notify.duplicates', equals(0)),
    row(report, 'notify.ratio_to_floor', 'notify.ratio_to_floor', atMost(1.1)),
    row(report, 'process.idle_rss_mb', 'process.idle_rss_mb', atMost(120, ' MB')),
    row(report, 'process.startup_ms', 'process.startup_ms'),
  );
  return rows;
}

export function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [r.metric, r.value === null ? '—' : String(r.value), r.target, r.status]);
  const head = ['metric', 'value', 'target', 'status'];
  const widths = head.map((h, k) => Math.max(h.length, ...cells.map((c) => (c[k] as string).length)));
  const line = (c: string[]) =>
    c
      .map((cell, k) => cell.padEnd(widths[k] as number))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const c of cells) process.stdout.write(`${line(c)}\n`);
}
