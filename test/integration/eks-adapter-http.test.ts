import { EKSClient } from '@aws-sdk/client-eks';
// A transitive dependency of the AWS SDK (same version the clients use): the SDK's own retry strategy.
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEksAdapter } from '../../src/adapters/aws/eks-adapter.js';
import { createEksClient } from '../../src/adapters/aws/eks-client.js';
import { type AwsStandIn, startAwsStandIn, stubAwsEnvFor } from '../support/aws-http-stand-in.js';

/**
 * Like aws-retry.test.ts for EC2: EKS throttling is retried by the SDK client createEksClient builds, not by the
 * adapter. A tiny EKS REST-JSON stand-in answers ThrottlingException (HTTP 429) for the first N requests.
 */

let standIn: AwsStandIn;
let endpoint: string;
let throttleFirst = 0;
let paged = false;
const paths: string[] = [];
const page = (url: string) => {
  if (!paged) return { nodegroups: ['compute-us-west-2a'] };
  return url.includes('nextToken=p2')
    ? { nodegroups: ['gpu-us-west-2a'] }
    : { nodegroups: ['compute-us-west-2a'], nextToken: 'p2' };
};

beforeAll(async () => {
  standIn = await startAwsStandIn((req, _body, res) => {
    paths.push(req.url ?? '?');
    const throttled = paths.length <= throttleFirst;
    res.writeHead(throttled ? 429 : 200, {
      'content-type': 'application/json',
      'x-amzn-requestid': throttled ? 'req-throttled' : 'req-ok',
      ...(throttled ? { 'x-amzn-errortype': 'ThrottlingException' } : {}),
    });
    res.end(JSON.stringify(throttled ? { message: 'Rate exceeded' } : page(req.url ?? '')));
  });
  endpoint = standIn.endpoint;
});

afterAll(() => standIn.close());

afterEach(() => {
  paths.length = 0;
  paged = false;
  vi.unstubAllEnvs();
});

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

describe('the EKS adapter over HTTP: every page, and throttling retried by the SDK client, not the adapter', () => {
  it('lists every page of node groups (ListNodegroups returns at most 100 at a time)', async () => {
    throttleFirst = 0;
    paged = true;
    const client = new EKSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
    await expect(createEksAdapter(client).listNodegroups('acme')).resolves.toEqual([
      'compute-us-west-2a',
      'gpu-us-west-2a',
    ]);
    expect(paths).toEqual(['/clusters/acme/node-groups', '/clusters/acme/node-groups?nextToken=p2']);
  });

  it('gives up after maxAttempts with an AppError carrying the AWS code', async () => {
    throttleFirst = 99;
    const client = new EKSClient({
      region: 'us-east-1',
      endpoint,
      credentials,
      retryStrategy: new ConfiguredRetryStrategy(3, () => 1),
    });
    await expect(createEksAdapter(client).listNodegroups('acme')).rejects.toMatchObject({
      code: 'aws_ThrottlingException',
      message: expect.stringContaining('list the node groups of cluster acme'),
      details: { requestId: 'req-throttled', httpStatus: 429, api: 'eks:ListNodegroups' },
    });
    expect(paths).toEqual(['/clusters/acme/node-groups', '/clusters/acme/node-groups', '/clusters/acme/node-groups']);
  });

  it('createEksClient uses the default endpoint/credential chains, adaptive retries and counts throttles', async () => {
    throttleFirst = 1;
    stubAwsEnvFor(endpoint, credentials);
    const throttled: string[] = [];
    const eks = createEksClient({
      region: 'eu-west-1',
      maxAttempts: 3,
      onThrottle: (service) => throttled.push(service),
    });
    expect(await eks.config.maxAttempts()).toBe(3);
    expect(await eks.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await eks.config.region()).toBe('eu-west-1');
    expect(await createEksClient({ region: 'us-east-1' }).config.maxAttempts()).toBe(8);
    // Real adaptive backoff: the first throttling retry waits a random 0–1 s.
    await expect(createEksAdapter(eks).listNodegroups('acme')).resolves.toEqual(['compute-us-west-2a']);
    expect(paths).toHaveLength(2);
    expect(throttled).toEqual(['eks']);
  });
});
