import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const env = {
  SLACK_BOT_TOKEN: 'xoxb-test_token',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  AMIBOT_OPS_CHANNELS: 'C0OPS1',
  AMIBOT_ADMINS: 'U0ADMIN1',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/domino',
  AMIBOT_CONFIG: '/etc/ami-bot.yaml',
};

const file = (hosts: string) => () => `deployments:\n  - name: acme\nregistries:\n  hosts:\n${hosts}`;

function startUpError(readFile: () => string, extraEnv: Record<string, string> = {}): string {
  try {
    loadConfig({ ...env, ...extraEnv }, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected start-up to stop with a ConfigError');
}

describe('registry credentials in the configuration', () => {
  it('reads each password from the variable passwordEnv names, and defaults to https and a 20 s timeout', () => {
    const config = loadConfig(
      { ...env, QUAY_TOKEN: 'robot-token-123' },
      file(
        '    - host: quay.io\n      username: domino+robot\n      passwordEnv: QUAY_TOKEN\n    - host: 10.0.0.5:5000\n      insecure: true\n',
      ),
    );
    expect(config.registries).toEqual({
      hosts: [
        {
          host: 'quay.io',
          username: 'domino+robot',
          passwordEnv: 'QUAY_TOKEN',
          password: 'robot-token-123',
          insecure: false,
        },
        { host: '10.0.0.5:5000', insecure: true },
      ],
      timeoutSeconds: 20,
    });
  });

  it('refuses a password written in the file, without repeating it', () => {
    const message = startUpError(file('    - host: quay.io\n      username: bot\n      password: hunter2-in-yaml\n'));
    expect(message).toContain('registries.hosts.0.password');
    expect(message).toContain('passwordEnv');
    expect(message).not.toContain('hunter2-in-yaml');
  });

  it('names an unset password variable and a missing username', () => {
    expect(startUpError(file('    - host: quay.io\n      username: bot\n      passwordEnv: QUAY_TOKEN\n'))).toContain(
      'the environment variable QUAY_TOKEN is not set',
    );
    expect(startUpError(file('    - host: quay.io\n      passwordEnv: QUAY_TOKEN\n'), { QUAY_TOKEN: 'x' })).toContain(
      'registries.hosts.0.username: missing',
    );
  });

  it('names a malformed host', () => {
    expect(startUpError(file('    - host: "https://quay.io/"\n'))).toContain('expected a registry host');
  });
});
