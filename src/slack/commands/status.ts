import { optionalArg, parsed, type Subcommand } from './subcommand.js';

export type StatusCommand = { kind: 'status'; bakeId?: string };

const USAGE = '/ami status [bake-id]';

export const status: Subcommand<StatusCommand> = {
  name: 'status',
  help: [{ usage: USAGE, summary: 'running and recent bakes, or one bake' }],
  parse(words) {
    const arg = optionalArg(words, USAGE);
    if (!arg.ok) return arg;
    return parsed(arg.value === undefined ? { kind: 'status' } : { kind: 'status', bakeId: arg.value });
  },
  run(command, { useCases }) {
    return useCases.bakeStatus(command.bakeId === undefined ? {} : { bakeId: command.bakeId });
  },
};
