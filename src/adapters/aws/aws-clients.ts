import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';

export type AwsService = 'ec2' | 'ssm' | 'eks';

export interface AwsClientOptions {
  /** Defaults to the SDK's region chain (AWS_REGION, shared config, instance metadata). */
  region?: string;
  /** Total attempts per call, including the first; default 8 so a bake rides out EC2 throttling. */
  maxAttempts?: number;
  /** Called once per throttled attempt (metrics); the SDK retries it. */
  onThrottle?: (service: AwsService) => void;
}

export interface AwsClients {
  ec2: EC2Client;
  ssm: SSMClient;
}

/**
 * Builds the SDK clients with the default credential and endpoint chains: no endpoint is set here, so
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_EC2 (moto, LocalStack, VPC endpoints) keep working.
 * Retries live here and only here: `adaptive` mode backs off on RequestLimitExceeded / ThrottlingException
 * and also slows the client's own request rate, which is what EC2's per-account token bucket wants.
 */
export function createAwsClients(opts: AwsClientOptions = {}): AwsClients {
  const config = awsClientConfig(opts);
  const ec2 = new EC2Client(config);
  const ssm = new SSMClient(config);
  if (opts.onThrottle) {
    countThrottles(ec2, () => opts.onThrottle?.('ec2'));
    countThrottles(ssm as unknown as { middlewareStack: EC2Client['middlewareStack'] }, () => opts.onThrottle?.('ssm'));
  }
  return { ec2, ssm };
}

/** The one client configuration every AWS client of the bot shares (EKS's client is built in eks-client.ts). */
export function awsClientConfig(opts: AwsClientOptions) {
  return {
    retryMode: 'adaptive',
    maxAttempts: opts.maxAttempts ?? 8,
    ...(opts.region ? { region: opts.region } : {}),
  };
}

const THROTTLING = new Set(['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']);

/**
 * Sits inside the retry loop (deserialize step), so every throttled attempt is seen, including
 * the ones the SDK retries successfully: that is the early warning an alert wants.
 */
export function countThrottles(
  client: { middlewareStack: EC2Client['middlewareStack'] },
  onThrottle: () => void,
): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (THROTTLING.has((error as { name?: string }).name ?? '')) onThrottle();
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'amibotThrottleCounter' },
  );
}
