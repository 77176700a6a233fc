import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsClientOptions {
  /** Defaults to the SDK's region chain (AWS_REGION, shared config, instance metadata). */
  region?: string;
  /** Total attempts per call, including the first; default 8 so a bake rides out EC2 throttling. */
  maxAttempts?: number;
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
  const config = {
    retryMode: 'adaptive',
    maxAttempts: opts.maxAttempts ?? 8,
    ...(opts.region ? { region: opts.region } : {}),
  };
  return { ec2: new EC2Client(config), ssm: new SSMClient(config) };
}
