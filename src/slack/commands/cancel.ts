import { isTestId } from '../../rollout/ami-test-record.js';
import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

/** `/ami cancel <test-id>` cancels an AMI test; any other id goes to the bake (which looks it up). */
export type CancelCommand = { kind: 'cancel'; bakeId: string } | { kind: 'cancelTest'; testId: string };

export const cancel: Subcommand<CancelCommand> = {
  name: 'cancel',
  help: [
    { usage: '/ami cancel <bake-id>', summary: 'stop a bake: template back to its state, unfinished AMI deregistered' },
    { usage: '/ami cancel <test-id>', summary: 'stop a running AMI test and its Domino job' },
  ],
  parse(words) {
    const args = valuesOf(words);
    if (args.length !== 1) return usageError('Usage: `/ami cancel <bake-id|test-id>`.');
    const id = args[0]!;
    return parsed(isTestId(id) ? { kind: 'cancelTest', testId: id } : { kind: 'cancel', bakeId: id });
  },
  run(command, { caller, useCases }) {
    return command.kind === 'cancelTest'
      ? useCases.cancelTest({ userId: caller.userId, testId: command.testId })
      : useCases.cancelBake({ userId: caller.userId, bakeId: command.bakeId });
  },
};
