import type { CommandInvocation } from '../ports/ssm.js';

/** What GetCommandInvocation means right after SendCommand (InvocationDoesNotExist): not there yet. */
export function pendingInvocation(commandId: string): CommandInvocation {
  return {
    commandId,
    status: 'Pending',
    isFinished: false,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
  };
}
