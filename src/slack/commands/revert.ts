import { changeIdArg } from './rollout-args.js';
import { parsed, type Subcommand, valuesOf } from './subcommand.js';

export type RevertCommand = { kind: 'revert'; changeId: string };

const USAGE = '/ami revert <change-id>';

export const revert: Subcommand<RevertCommand> = {
  name: 'revert',
  help: [{ usage: USAGE, summary: 'plan putting back the AMIs recorded by an applied change (approval needed)' }],
  parse(words) {
    const id = changeIdArg(valuesOf(words), USAGE);
    return id.ok ? parsed({ kind: 'revert', changeId: id.value }) : id;
  },
  run(command, { caller, useCases }) {
    return useCases.revertChange({ userId: caller.userId, channelId: caller.channelId, changeId: command.changeId });
  },
};
