import { AppError, isAppError } from '../../errors.js';

/**
 * Turns whatever the AWS SDK threw into an AppError a Slack user can act on.
 * The SDK has already retried throttling and transient faults by the time we see an error,
 * so everything here is final for this call.
 */

/** The AWS error code (`InvalidAMIName.Duplicate`, …) or the JS error name for non-AWS failures. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  if (typeof Code === 'string' && Code !== '') return Code;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** True when the error (or the SDK error an AppError of ours wraps) carries one of these AWS codes. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(isAppError(error) ? error.cause : error);
  return name !== undefined && names.includes(name);
}

const PERMISSION = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']);
const CREDENTIALS = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'CredentialsProviderError',
  'SignatureDoesNotMatch',
]);
const THROTTLING = new Set(['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']);
const NETWORK = new Set(['TimeoutError', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/** AWS messages can be long (encoded authorization failures); Slack only needs the start. */
function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/** What the adapter was doing: the IAM action (for permission errors) and a verb phrase for people. */
export interface AwsOperation {
  /** IAM action, e.g. `ec2:CreateImage`. */
  api: string;
  /** Verb phrase, e.g. `start instance i-123`. */
  what: string;
}

function humanMessage(name: string, op: AwsOperation, error: unknown): string {
  const aws = shortMessage(error);
  const action = op.what;
  if (PERMISSION.has(name)) {
    return `AWS refused to ${action}: the bot's IAM role lacks permission for ${op.api}. Add it to the role's policy and try again.`;
  }
  if (CREDENTIALS.has(name)) {
    return `AWS rejected the bot's credentials while trying to ${action} (${name}). Check the role or keys the bot runs with.`;
  }
  if (THROTTLING.has(name)) {
    return `AWS kept throttling requests to ${action} even after retrying (${name}). Wait a few minutes and try again.`;
  }
  if (NETWORK.has(name)) {
    return `Could not reach AWS to ${action} (${name}: ${aws}). Check the bot's network access to the AWS endpoints.`;
  }
  // EC2's `X.NotFound` / `X.VersionNotFound`, EKS's ResourceNotFoundException.
  if (name.endsWith('NotFound') || name === 'ResourceNotFoundException' || name === 'InvalidInstanceId') {
    return `AWS could not find what was asked for while trying to ${action} (${name}): ${aws}`;
  }
  if (name === 'ResourceInUseException') {
    return `EKS is already changing it, so it could not ${action} now: ${aws} Wait for that update to finish, then try again.`;
  }
  if (name === 'IncorrectInstanceState') {
    return `The instance is not in a state that allows ${action} right now: ${aws}`;
  }
  if (isNotAwsResponse(error)) {
    // The SDK's text ("Deserialization error: … inspect the hidden field {error}.$response") means nothing in Slack.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `AWS could not ${action}: the endpoint answered${status ? ` (HTTP ${status})` : ''} with something that is not an AWS response (an HTML page?). Check AWS_ENDPOINT_URL, the proxy settings and the region the bot runs with.`;
  }
  if (name === 'InsufficientInstanceCapacity') {
    return `AWS has no capacity for this instance type right now, so it could not ${action}. Try again later.`;
  }
  return `AWS could not ${action} (${name}): ${aws}`;
}

/** The SDK could not parse the answer (HTML from a proxy or a wrong endpoint): a SyntaxError it tagged with $response. */
function isNotAwsResponse(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return awsErrorName(error) === 'SyntaxError' || message.includes('Deserialization error');
}

/** Errors that came out of the SDK (service, network, credentials) rather than a bug of ours. */
function isSdkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = awsErrorName(error) ?? '';
  return '$metadata' in error || '$fault' in error || NETWORK.has(name) || CREDENTIALS.has(name);
}

/**
 * Maps an SDK error to AppError `aws_<ErrorName>` (the AWS code verbatim, so it can be looked up in
 * AWS's docs). AppErrors and our own bugs (TypeError, …) pass through unchanged: a bug should reach the
 * logs as itself and Slack as the generic message, not be dressed up as an AWS failure.
 */
export function fromAwsError(error: unknown, op: AwsOperation): unknown {
  if (isAppError(error) || !isSdkError(error)) return error;
  const name = awsErrorName(error) ?? 'UnknownError';
  const meta = (error as { $metadata?: { requestId?: string; httpStatusCode?: number } }).$metadata;
  return new AppError(`aws_${name}`, humanMessage(name, op, error), {
    cause: error,
    details: { awsError: name, api: op.api, requestId: meta?.requestId, httpStatus: meta?.httpStatusCode },
  });
}

/** Runs one SDK call and converts its failure; keeps adapter methods to a single line each. */
export async function callAws<T>(api: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromAwsError(error, { api, what });
  }
}

/**
 * Every page of a paged AWS call, in order, each page one `callAws`: `read` gives a page's items and the token of
 * the next page (none after the last).
 */
export async function callAwsPages<P, T>(
  api: string,
  what: string,
  send: (token: string | undefined) => Promise<P>,
  read: (page: P) => { items: readonly T[] | undefined; next: string | undefined },
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = read(await callAws(api, what, () => send(token)));
    all.push(...(page.items ?? []));
    token = page.next;
  } while (token);
  return all;
}
