import { ConfigError, loadDemoSettings } from './config.js';
import type { DemoKind } from './demo/demo-config.js';
import { runDemo } from './demo/run-demo.js';
import { FAULT_NAMES } from './sim/faults.js';

/** `npm run demo [-- --kind eks] [-- --fault <name>] [-- --speed <factor>]`: the whole lifecycle on the simulator. */
function parseArgs(argv: string[]): { fault?: string; speed?: number; kind?: DemoKind; help: boolean } {
  const args: { fault?: string; speed?: number; kind?: DemoKind; help: boolean } = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--fault') args.fault = argv[++i] ?? '';
    else if (arg.startsWith('--fault=')) args.fault = arg.slice('--fault='.length);
    else if (arg === '--speed') args.speed = Number(argv[++i]);
    else if (arg === '--kind' || arg.startsWith('--kind='))
      args.kind = demoKind(arg === '--kind' ? argv[++i] : arg.slice(7));
    else throw new ConfigError(`Unknown argument ${arg}; try --help.`);
  }
  return args;
}

function demoKind(value: string | undefined): DemoKind {
  if (value === 'eks' || value === 'tiers') return value;
  throw new ConfigError(`--kind ${value ?? ''}: expected eks (Domino 4+ on EKS node groups) or tiers (the default).`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(
      'npm run demo [-- --kind eks|tiers] [-- --fault <name>] [-- --speed <virtual ms per real ms>]\n\n--kind eks: acme on Domino 4+ (EKS managed node groups) instead of hardware tiers.\n\nFaults (hardware tiers):\n',
    );
    for (const [name, what] of Object.entries(FAULT_NAMES)) process.stdout.write(`  ${name.padEnd(18)} ${what}\n`);
    return;
  }
  const speed = args.speed ?? loadDemoSettings().speed;
  const started = Date.now();
  const result = await runDemo({
    speed,
    ...(args.fault ? { fault: args.fault } : {}),
    ...(args.kind ? { kind: args.kind } : {}),
  });
  process.stdout.write(
    `\nDemo ${result.ok ? 'finished' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
  );
  process.exitCode = result.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exit(2);
});
