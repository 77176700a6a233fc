import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

export interface AwsStandIn {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A tiny AWS endpoint on a loopback port, for tests that must go through the SDK's own middleware (retries,
 * paging, parsing), which a mocked `client.send` skips. `answer` gets each request once its body is read.
 */
export async function startAwsStandIn(
  answer: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<AwsStandIn> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => answer(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Points the SDK's default endpoint and credential chains at the stand-in and these keys only: nothing of the
 * machine's AWS profile, config files or configured endpoints. Undo with `vi.unstubAllEnvs()`.
 */
export function stubAwsEnvFor(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): void {
  vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
  vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', '');
}
