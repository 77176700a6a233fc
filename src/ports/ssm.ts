/** The SSM port: shell scripts run on an instance by AWS-RunShellScript. */

export type CommandStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'Cancelling'
  | 'TimedOut'
  | 'Failed'
  | 'Undeliverable'
  | 'Terminated';

export interface SendShellCommandInput {
  instanceId: string;
  /** Lines of the AWS-RunShellScript `commands` parameter. Built only from validated values. */
  commands: string[];
  /** Up to 100 chars; ami-bot puts the bake id and step here so a restart can find the command again. */
  comment: string;
  /** AWS-RunShellScript `executionTimeout` in seconds. */
  executionTimeoutSeconds: number;
}

export interface CommandInvocation {
  commandId: string;
  status: CommandStatus;
  /** True once the status can no longer change. */
  isFinished: boolean;
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** SSM returns only the first 24,000 chars of stdout and 8,000 of stderr. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  startedAt?: Date;
  endedAt?: Date;
}

export interface SsmPort {
  isAgentOnline(instanceId: string): Promise<boolean>;
  /** Returns the command id. */
  sendShellCommand(input: SendShellCommandInput): Promise<string>;
  /** `InvocationDoesNotExist` right after SendCommand is reported as status Pending. */
  getInvocation(commandId: string, instanceId: string): Promise<CommandInvocation>;
  /** The newest command sent to the instance with exactly this comment (re-attach after a crash). */
  findCommandByComment(instanceId: string, comment: string): Promise<string | undefined>;
  cancelCommand(commandId: string, instanceId: string): Promise<void>;
}
