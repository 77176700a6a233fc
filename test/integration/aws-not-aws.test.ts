// An endpoint that answers with something that is not AWS (a proxy's HTML login page, a wrong AWS_ENDPOINT_URL):
// seen in production mode against moto's EC2-only server, where the SSM call got an HTML page and Slack showed
// the SDK's internals ("Deserialization error: … inspect the hidden field {error}.$response").
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAws } from '../../src/adapters/aws/aws-errors.js';
import { userMessage } from '../../src/errors.js';
import { type AwsStandIn, startAwsStandIn } from '../support/aws-http-stand-in.js';

describe('an AWS endpoint that answers with HTML', () => {
  let standIn: AwsStandIn;
  let endpoint: string;
  beforeAll(async () => {
    standIn = await startAwsStandIn((_req, _body, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html>login</html>'),
    );
    endpoint = standIn.endpoint;
  });
  afterAll(() => standIn.close());

  it('says AWS did not answer like AWS and where to look, without the SDK’s internals', async () => {
    const ssm = new SSMClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const error = await callAws('ssm:DescribeInstanceInformation', 'check the SSM agent on i-0abc', () =>
      ssm.send(new DescribeInstanceInformationCommand({})),
    ).catch((e: unknown) => e);
    const message = userMessage(error);
    expect(message).toContain('check the SSM agent on i-0abc');
    expect(message).toContain('not an AWS response');
    expect(message).toContain('AWS_ENDPOINT_URL');
    expect(message).not.toContain('$response');
    expect(message).not.toContain('Deserialization error');
  });
});
