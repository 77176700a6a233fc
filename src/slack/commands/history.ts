import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type HistoryCommand = { kind: 'history'; limit?: number };

const MAX_LIMIT = 50;

export const history: Subcommand<HistoryCommand> = {
  name: 'history',
  help: [
    { usage: '/ami history [count]', summary: 'recent tests, decisions, applies, reverts and drains (audit trail)' },
  ],
  parse(words) {
    const args = valuesOf(words);
    if (args.length === 0) return parsed({ kind: 'history' });
    const limit = Number(args[0]);
    if (args.length > 1 || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return usageError(`Usage: \`/ami history [count 1–${MAX_LIMIT}]\`.`);
    }
    return parsed({ kind: 'history', limit });
  },
  run(command, { useCases }) {
    return useCases.rolloutHistory(command.limit === undefined ? {} : { limit: command.limit });
  },
};
