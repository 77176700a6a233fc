import { EKSClient } from '@aws-sdk/client-eks';
import { type AwsClientOptions, awsClientConfig, countThrottles } from './aws-clients.js';

/**
 * The EKS client, for `eks-node-groups` deployments only: kept out of createAwsClients so a hardware-tier
 * deployment never loads @aws-sdk/client-eks. Same retries, region and default credential and endpoint chains
 * (AWS_ENDPOINT_URL_EKS for moto or a VPC endpoint) as the EC2 and SSM clients.
 */
export function createEksClient(opts: AwsClientOptions = {}): EKSClient {
  const eks = new EKSClient(awsClientConfig(opts));
  if (opts.onThrottle) {
    countThrottles(eks as unknown as Parameters<typeof countThrottles>[0], () => opts.onThrottle?.('eks'));
  }
  return eks;
}
