import { ConfigError, loadDemoSettings } from './config.js';
import { runDemo } from './demo/run-demo.js';
import { FAULT_NAMES } from './sim/faults.js';

/** `npm run demo [-- --fault <name>] [-- --speed <factor>]`: the whole lifecycle on the simulator. */
function parseArgs(argv: string[]): { fault?: string; speed?: number; help: boolean } {
  const args: { fault?: string; speed?: number; help: boolean } = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--fault') args.fault = argv[++i] ?? '';
    else if (arg.startsWith('--fault=')) args.fault = arg.slice('--fault='.length);
    else if (arg === '--speed') args.speed = Number(argv[++i]);
    else throw new ConfigError(`Unknown argument ${arg}; try --help.`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write('npm run demo [-- --fault <name>] [-- --speed <virtual ms per real ms>]\n\nFaults:\n');
    for (const [name, what] of Object.entries(FAULT_NAMES)) process.stdout.write(`  ${name.padEnd(18)} ${what}\n`);
    return;
  }
  const speed = args.speed ?? loadDemoSettings().speed;
  const started = Date.now();
  const result = await runDemo({ speed, ...(args.fault ? { fault: args.fault } : {}) });
  process.stdout.write(
    `\nDemo ${result.ok ? 'finished' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
  );
  process.exitCode = result.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exit(2);
});
