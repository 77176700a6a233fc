import { changeIdArg } from './rollout-args.js';
import { parsed, type Subcommand, valuesOf } from './subcommand.js';

export type DrainCommand = { kind: 'drain'; changeId: string };

const USAGE = '/ami drain <change-id>';

export const drain: Subcommand<DrainCommand> = {
  name: 'drain',
  help: [
    {
      usage: USAGE,
      summary: 'list executors still on old AMIs; terminate the stopped ones after approval (EKS drains its own nodes)',
    },
  ],
  parse(words) {
    const id = changeIdArg(valuesOf(words), USAGE);
    return id.ok ? parsed({ kind: 'drain', changeId: id.value }) : id;
  },
  run(command, { caller, useCases }) {
    return useCases.planDrain({ userId: caller.userId, changeId: command.changeId });
  },
};
