import { shown, targetArg } from './rollout-args.js';
import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type TestCommand = { kind: 'test'; target: string; keep?: boolean };

const USAGE = '/ami test <bake-id|ami-id> [--keep]';

export const test: Subcommand<TestCommand> = {
  name: 'test',
  help: [
    {
      usage: USAGE,
      summary:
        'point only the test tier (or test node group) at the AMI, time a Domino job on a fresh executor (or node), then put it back (unless --keep)',
    },
  ],
  parse(words) {
    const args = valuesOf(words);
    const keep = args.includes('--keep');
    const rest = args.filter((a) => a !== '--keep');
    const unknown = rest.find((a) => a.startsWith('-'));
    if (unknown) return usageError(`Unknown option ${shown(unknown)} for \`/ami test\`. Usage: \`${USAGE}\`.`);
    if (rest.length !== 1) return usageError(`Usage: \`${USAGE}\`.`);
    const target = targetArg(rest[0], USAGE);
    if (!target.ok) return target;
    return parsed(keep ? { kind: 'test', target: target.value, keep } : { kind: 'test', target: target.value });
  },
  run(command, { caller, useCases }) {
    const { userId, channelId } = caller;
    return useCases.testAmi({ userId, channelId, target: command.target, ...(command.keep ? { keep: true } : {}) });
  },
};
