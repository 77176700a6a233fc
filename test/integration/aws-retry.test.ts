import { EC2Client } from '@aws-sdk/client-ec2';
// A transitive dependency of the AWS SDK (same version the clients use): the SDK's own retry strategy.
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.js';
import { createEc2Adapter } from '../../src/adapters/aws/ec2-adapter.js';
import { type AwsStandIn, startAwsStandIn, stubAwsEnvFor } from '../support/aws-http-stand-in.js';

/**
 * aws-sdk-client-mock replaces `client.send`, which skips the SDK's middleware and so its retries.
 * To prove throttling is retried by the SDK (and not by the adapter), these tests talk real HTTP to a
 * tiny EC2 Query-protocol stand-in that answers RequestLimitExceeded for the first N requests.
 */

const THROTTLED = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-throttled</RequestID></Response>`;
const STARTED = `<?xml version="1.0" encoding="UTF-8"?>
<StartInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-ok</requestId>
<instancesSet><item><instanceId>i-1</instanceId><currentState><code>0</code><name>pending</name></currentState>
<previousState><code>80</code><name>stopped</name></previousState></item></instancesSet></StartInstancesResponse>`;

let standIn: AwsStandIn;
let endpoint: string;
let throttleFirst = 0;
const actions: string[] = [];

beforeAll(async () => {
  standIn = await startAwsStandIn((_req, body, res) => {
    actions.push(new URLSearchParams(body).get('Action') ?? '?');
    const throttled = actions.length <= throttleFirst;
    res.writeHead(throttled ? 503 : 200, {
      'content-type': 'text/xml',
      'x-amzn-requestid': throttled ? 'req-throttled' : 'req-ok',
    });
    res.end(throttled ? THROTTLED : STARTED);
  });
  endpoint = standIn.endpoint;
});

afterAll(() => standIn.close());

afterEach(() => {
  actions.length = 0;
  vi.unstubAllEnvs();
});

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

describe('throttling is retried by the SDK, not the adapter', () => {
  it('a RequestLimitExceeded followed by success makes one successful call (2 HTTP attempts)', async () => {
    throttleFirst = 1;
    const client = new EC2Client({
      region: 'us-east-1',
      endpoint,
      credentials,
      retryStrategy: new ConfiguredRetryStrategy(3, () => 1),
    });
    await expect(createEc2Adapter(client).startInstance('i-1')).resolves.toBeUndefined();
    expect(actions).toEqual(['StartInstances', 'StartInstances']);
  });

  it('gives up after maxAttempts with an AppError carrying the AWS code', async () => {
    throttleFirst = 99;
    const client = new EC2Client({
      region: 'us-east-1',
      endpoint,
      credentials,
      retryStrategy: new ConfiguredRetryStrategy(3, () => 1),
    });
    await expect(createEc2Adapter(client).startInstance('i-1')).rejects.toMatchObject({
      code: 'aws_RequestLimitExceeded',
      details: { requestId: 'req-throttled', httpStatus: 503 },
    });
    expect(actions).toHaveLength(3);
  });

  it('createAwsClients uses the default endpoint/credential chains and retries in adaptive mode', async () => {
    throttleFirst = 1;
    stubAwsEnvFor(endpoint, credentials);
    const throttled: string[] = [];
    const { ec2, ssm } = createAwsClients({
      region: 'eu-west-1',
      maxAttempts: 3,
      onThrottle: (service) => throttled.push(service),
    });
    expect(await ec2.config.maxAttempts()).toBe(3);
    expect(ec2.config.retryMode).toBe('adaptive');
    expect(await ec2.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await ssm.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await ec2.config.region()).toBe('eu-west-1');
    // Real adaptive backoff: the first throttling retry waits a random 0–1 s.
    await expect(createEc2Adapter(ec2).startInstance('i-1')).resolves.toBeUndefined();
    expect(actions).toEqual(['StartInstances', 'StartInstances']);
    // The throttled attempt is counted (metrics) although the call succeeded.
    expect(throttled).toEqual(['ec2']);
  });

  it('defaults to 8 attempts', async () => {
    const { ec2 } = createAwsClients({ region: 'us-east-1' });
    expect(await ec2.config.maxAttempts()).toBe(8);
  });
});
