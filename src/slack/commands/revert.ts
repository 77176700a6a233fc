import { ACCEPT_DRIFT_FLAG } from '../../rollout/terraform-drift-text.js';
import { changeIdArg, shown } from './rollout-args.js';
import { parsed, type Subcommand, usageError, valuesOf } from './subcommand.js';

export type RevertCommand = { kind: 'revert'; changeId: string; acceptDrift?: boolean };

const USAGE = `/ami revert <change-id> [${ACCEPT_DRIFT_FLAG}]`;

export const revert: Subcommand<RevertCommand> = {
  name: 'revert',
  help: [
    {
      usage: USAGE,
      summary: `plan putting back the AMIs recorded by an applied change (approval needed). \`${ACCEPT_DRIFT_FLAG}\`: go on although node groups launch from templates Terraform manages that the change did not accept drift for`,
    },
  ],
  parse(words) {
    const args = valuesOf(words);
    const unknown = args.find((arg) => arg.startsWith('-') && arg !== ACCEPT_DRIFT_FLAG);
    if (unknown !== undefined) {
      return usageError(`Unknown option ${shown(unknown)} for \`/ami revert\`. Usage: \`${USAGE}\`.`);
    }
    const id = changeIdArg(
      args.filter((arg) => arg !== ACCEPT_DRIFT_FLAG),
      USAGE,
    );
    if (!id.ok) return id;
    return parsed({
      kind: 'revert',
      changeId: id.value,
      ...(args.includes(ACCEPT_DRIFT_FLAG) ? { acceptDrift: true } : {}),
    });
  },
  run(command, { caller, useCases }) {
    return useCases.revertChange({
      userId: caller.userId,
      channelId: caller.channelId,
      changeId: command.changeId,
      ...(command.acceptDrift ? { acceptDrift: true } : {}),
    });
  },
};
