import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type StatusCommand = { kind: 'status'; bakeId?: string };

const USAGE = '/ami status [bake-id]';

export const status: Subcommand<StatusCommand> = {
  name: 'status',
  help: [{ usage: USAGE, summary: 'running and recent bakes, or one bake' }],
  parse(words) {
    const args = valuesOf(words);
    if (args.length > 1) return usageError(`Usage: \`${USAGE}\`.`);
    return parsed(args[0] === undefined ? { kind: 'status' } : { kind: 'status', bakeId: args[0] });
  },
  run(command, { useCases }) {
    return useCases.bakeStatus(command.bakeId === undefined ? {} : { bakeId: command.bakeId });
  },
};
