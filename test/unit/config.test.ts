import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_TABLE, loadConfig, rawConfig } from '../../src/config.js';
import { isValidScriptPath, scriptPathProblem } from '../../src/shared/script-path.js';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-test_token',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  AMIBOT_OPS_CHANNELS: 'C0OPS1,C0OPS2',
  AMIBOT_ADMINS: 'U0ADMIN1,U0ADMIN2',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/domino',
  AMIBOT_DEPLOYMENT: 'acme',
  AMIBOT_IMAGES: 'quay.io/domino/base:1,quay.io/domino/r:2',
};
const noFile = (_path: string): string => {
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

function errorOf(env: Record<string, string | undefined>, readFile = noFile): string {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the single-deployment environment with defaults', () => {
    const config = loadConfig(base, noFile);
    expect(config.opsChannels).toEqual(['C0OPS1', 'C0OPS2']);
    expect(config.deployments).toHaveLength(1);
    expect(config.deployments[0]).toMatchObject({
      name: 'acme',
      templateNamePattern: '*{deployment}*executor-template*',
      executorScopeTags: { 'domino-deployment': '{deployment}' },
      images: ['quay.io/domino/base:1', 'quay.io/domino/r:2'],
    });
    expect(config.slack.port).toBe(3000);
    expect(config.mongo.stateDatabase).toBe('ami_bot');
    expect(config.twoPersonRule).toBe(true);
    expect(config.bake.pullConcurrency).toBe(3);
    expect(config.bake.imageWaitHours).toBe(4);
    expect(config.deployments[0]?.review.schedule).toBe('0 9 1 1,4,7,10 *');
  });

  it('is immutable after validation: every nested object and array is frozen', () => {
    const config = loadConfig(base, noFile);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(Object.isFrozen(config.deployments)).toBe(true);
    expect(Object.isFrozen(config.deployments[0])).toBe(true);
    expect(Object.isFrozen(config.deployments[0]?.images)).toBe(true);
    expect(() => {
      (config.bake as { leaseSeconds: number }).leaseSeconds = 1;
    }).toThrow(TypeError);
  });

  it('names every missing key on one line', () => {
    const message = errorOf({});
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('SLACK_BOT_TOKEN: missing');
    expect(message).toContain('AMIBOT_OPS_CHANNELS: missing');
    expect(message).toContain('AMIBOT_ADMINS: missing');
    expect(message).toContain('AMIBOT_DEPLOYMENT: missing');
  });

  it('names the variable that is wrong, not the deployment it feeds (AMIBOT_TEST_TIER="")', () => {
    const message = errorOf({ ...base, AMIBOT_TEST_TIER: '' });
    expect(message).toBe(
      'Invalid configuration: AMIBOT_TEST_TIER: expected a hardware tier id (leave it unset for no test tier)',
    );
    expect(message).not.toContain('AMIBOT_DEPLOYMENT');
  });

  it('says what is expected for a wrong value, without echoing secrets', () => {
    expect(errorOf({ ...base, AMIBOT_OPS_CHANNELS: 'general' })).toBe(
      'Invalid configuration: AMIBOT_OPS_CHANNELS: expected a Slack channel id such as C0123ABCD',
    );
    expect(errorOf({ ...base, PORT: 'eighty' })).toBe('Invalid configuration: PORT: expected a number');
    const token = errorOf({ ...base, SLACK_BOT_TOKEN: 'xoxp-user_secret_value' });
    expect(token).toContain('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    expect(token).not.toContain('user_secret_value');
  });

  it('needs a signing secret unless Socket Mode is on', () => {
    expect(errorOf({ ...base, SLACK_SIGNING_SECRET: undefined })).toContain('SLACK_SIGNING_SECRET: missing');
    const socket = loadConfig({ ...base, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-abc' }, noFile);
    expect(socket.slack.appToken).toBe('xapp-1-abc');
  });

  it('needs MONGODB_URI outside sandbox mode, and not in it', () => {
    expect(errorOf({ ...base, MONGODB_URI: undefined })).toContain('MONGODB_URI: missing');
    const sandbox = loadConfig(
      {
        SLACK_BOT_TOKEN: base.SLACK_BOT_TOKEN,
        SLACK_SIGNING_SECRET: base.SLACK_SIGNING_SECRET,
        AMIBOT_OPS_CHANNELS: 'C0OPS1',
        AMIBOT_ADMINS: 'U0ADMIN1',
        AMIBOT_SANDBOX: '1',
      },
      noFile,
    );
    expect(sandbox.sandbox).toBe(true);
    expect(sandbox.deployments[0]?.name).toBe('acme');
  });

  it('reads several deployments from the YAML file, environment on top', () => {
    const yaml = `
twoPersonRule: false
timeZone: Europe/Berlin
approvers: { userGroup: S0APPROVE }
deployments:
  - name: prod
    images: [quay.io/domino/base:1]
    testTier: test-tier
    pinnedTiers: [gpu]
    review: { schedule: "0 8 1 */3 *", timeZone: America/New_York }
  - name: staging
    templateNamePattern: "*staging-executor-template*"
`;
    const config = loadConfig({ ...base, AMIBOT_DEPLOYMENT: undefined, AMIBOT_CONFIG: '/etc/ami-bot.yaml' }, (path) =>
      path === '/etc/ami-bot.yaml' ? yaml : '',
    );
    expect(config.deployments.map((d) => d.name)).toEqual(['prod', 'staging']);
    expect(config.deployments[1]?.templateNamePattern).toBe('*staging-executor-template*');
    expect(config.twoPersonRule).toBe(false);
    expect(config.approvers.userGroup).toBe('S0APPROVE');
    expect(config.timeZone).toBe('Europe/Berlin');
    expect(config.deployments[0]?.review.timeZone).toBe('America/New_York');
  });

  it('rejects an unknown key, a bad time zone and an unreadable file with the file named', () => {
    expect(errorOf({ ...base, AMIBOT_CONFIG: '/x.yaml' }, () => 'deployments: [{name: a1, imagez: []}]')).toContain(
      'unknown key(s) imagez',
    );
    expect(errorOf({ ...base, AMIBOT_CONFIG: '/x.yaml' }, () => 'timeZone: Mars/Olympus')).toContain(
      'expected an IANA time zone',
    );
    expect(errorOf({ ...base, AMIBOT_CONFIG: '/missing.yaml' })).toBe(
      'AMIBOT_CONFIG: cannot read /missing.yaml (ENOENT)',
    );
    expect(errorOf({ ...base, AMIBOT_CONFIG: '/x.yaml' }, () => 'a: [unclosed')).toContain(
      'is not a valid YAML mapping',
    );
  });
});

describe('deployment kind, container runtime and provisioning', () => {
  const fromFile = { ...base, AMIBOT_DEPLOYMENT: undefined, AMIBOT_CONFIG: '/c.yaml' };
  const load = (yaml: string) => loadConfig(fromFile, () => yaml);
  const problem = (yaml: string) => errorOf(fromFile, () => yaml);

  it('a deployment is hardware-tiers by default, with no runtime or provisioning set (bake/template-runtime.ts decides)', () => {
    const [deployment] = loadConfig(base, noFile).deployments;
    expect(deployment?.kind).toBe('hardware-tiers');
    expect(deployment?.eks).toBeUndefined();
    expect(deployment?.containerRuntime).toBeUndefined();
    expect(deployment?.provision).toBeUndefined();
  });

  it('an eks-node-groups deployment reads its eks block with defaults, a runtime and a provisioning script', () => {
    const config = load(`
deployments:
  - name: k8s
    kind: eks-node-groups
    eks: { cluster: domino-prod, nodePools: [default, gpu] }
    containerRuntime: ctr
    provision: { script: /opt/domino/bake.sh }
`);
    expect(config.deployments[0]).toMatchObject({
      kind: 'eks-node-groups',
      containerRuntime: 'ctr',
      provision: { script: '/opt/domino/bake.sh' },
      eks: {
        cluster: 'domino-prod',
        nodegroups: [],
        nodePools: ['default', 'gpu'],
        nodePoolLabel: 'dominodatalab.com/node-pool',
        force: false,
        terraformTagKeys: ['terraform', 'managed-by', 'tf:managed'],
        runningWork: 'evict',
      },
    });
  });

  it.each([
    [
      'eks-node-groups without eks',
      '[{name: a, kind: eks-node-groups}]',
      'deployments.0.eks in AMIBOT_CONFIG: required when kind is eks-node-groups',
    ],
    [
      'eks without node groups or pools',
      '[{name: a, kind: eks-node-groups, eks: {cluster: c}}]',
      'deployments.0.eks.nodegroups in AMIBOT_CONFIG: expected at least one node group (eks.nodegroups) or node pool (eks.nodePools)',
    ],
    [
      'eks on a hardware-tiers deployment',
      '[{name: a, eks: {cluster: c, nodegroups: [ng]}}]',
      'deployments.0.eks in AMIBOT_CONFIG: only read when kind is eks-node-groups',
    ],
    [
      'an unknown kind',
      '[{name: a, kind: eks}]',
      'deployments.0.kind in AMIBOT_CONFIG: expected hardware-tiers or eks-node-groups',
    ],
    [
      'a bad cluster name',
      '[{name: a, kind: eks-node-groups, eks: {cluster: "my cluster", nodegroups: [ng]}}]',
      'deployments.0.eks.cluster in AMIBOT_CONFIG: expected an EKS cluster name',
    ],
    [
      'an unknown runningWork',
      '[{name: a, kind: eks-node-groups, eks: {cluster: c, nodegroups: [ng], runningWork: drain}}]',
      'deployments.0.eks.runningWork in AMIBOT_CONFIG: expected evict or wait-idle',
    ],
    [
      'an unknown runtime',
      '[{name: a, containerRuntime: podman}]',
      'deployments.0.containerRuntime in AMIBOT_CONFIG: expected docker, nerdctl, ctr or auto',
    ],
    [
      'an unknown provisioning',
      '[{name: a, provision: ansible}]',
      'deployments.0.provision in AMIBOT_CONFIG: expected salt-highstate, none or {script: /absolute/path/on/the/template}',
    ],
    [
      'a relative script path',
      '[{name: a, provision: {script: opt/x.sh}}]',
      'deployments.0.provision.script in AMIBOT_CONFIG: expected an absolute path to a script on the template: it is not absolute',
    ],
    [
      'a script path with shell characters',
      '[{name: a, provision: {script: "/opt/x.sh; reboot"}}]',
      'deployments.0.provision.script in AMIBOT_CONFIG: expected an absolute path to a script on the template: it has a character other than',
    ],
    [
      'a script path climbing out with ..',
      '[{name: a, provision: {script: /opt/../etc/x.sh}}]',
      'it has a . or .. segment',
    ],
    ['a script with arguments', '[{name: a, provision: {script: /opt/x.sh, args: [1]}}]', 'unknown key(s) args'],
  ])('%s: one clear line naming the key', (_name, deployments, expected) => {
    const message = problem(`deployments: ${deployments}`);
    expect(message).toContain(expected);
    expect(message.split('\n')).toHaveLength(1);
  });
});

describe('isValidScriptPath', () => {
  it.each(['/opt/domino/bake.sh', '/usr/local/bin/provision', '/srv/a_b-c+d.v2.sh'])('accepts %s', (path) => {
    expect(isValidScriptPath(path)).toBe(true);
    expect(scriptPathProblem(path)).toBeUndefined();
  });

  it.each([
    ['', 'it is empty'],
    ['x.sh', 'not absolute'],
    ['/opt/my script.sh', 'character other than'],
    ['/opt/x.sh\nreboot', 'character other than'],
    ['/opt/$(reboot)', 'character other than'],
    ["/opt/x'.sh", 'character other than'],
    ['/opt/x.sh;reboot', 'character other than'],
    ['/opt//x.sh', 'empty segment'],
    ['/opt/x/', 'empty segment'],
    ['/opt/./x.sh', '. or .. segment'],
    ['/../x.sh', '. or .. segment'],
    [`/${'a'.repeat(255)}`, 'longer than 255'],
  ])('rejects %j: %s', (path, reason) => {
    expect(isValidScriptPath(path)).toBe(false);
    expect(scriptPathProblem(path)).toContain(reason);
  });
});

describe('the environment table, read both ways', () => {
  const base = { AMIBOT_SANDBOX: '1', SLACK_SIGNING_SECRET: 's3cret-for-tests', SLACK_BOT_TOKEN: 'xoxb-test' };
  const sample = (key: (typeof ENV_TABLE)[number]) =>
    key.parse === 'int' ? '7' : key.parse === 'list' ? 'a1,b2' : key.env.includes('URI') ? 'mongodb://h/x' : 'v-1';
  const at = (tree: unknown, path: string) =>
    path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);

  it('every variable lands at its path in the raw config', () => {
    for (const key of ENV_TABLE) {
      const raw = rawConfig({ ...base, [key.env]: sample(key) }, () => '');
      const expected = key.parse === 'int' ? 7 : key.parse === 'list' ? ['a1', 'b2'] : sample(key);
      expect(at(raw, key.path), key.env).toEqual(expected);
    }
  });

  it('an error at a path names the variable that feeds it, longest path first', () => {
    const named = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error(`no error for ${JSON.stringify(env)}`);
    };
    expect(named({ AMIBOT_TEST_TIER: '' })).toContain('AMIBOT_TEST_TIER');
    expect(named({ AMIBOT_TEST_TIER: '' })).not.toContain('AMIBOT_DEPLOYMENT');
    expect(named({ PORT: 'eighty' })).toMatch(/PORT: expected a number/);
    expect(named({ AMIBOT_SIM_SPEED: 'fast' })).toMatch(/AMIBOT_SIM_SPEED: expected a number/);
    expect(named({ MONGODB_URI: 'postgres://x' })).toMatch(/MONGODB_URI: expected a mongodb:\/\/ URI/);
  });

  it('a value only the environment sets is not taken from AMIBOT_CONFIG', () => {
    const raw = rawConfig({ AMIBOT_CONFIG: '/c.yaml' }, () => 'mongo:\n  dominoUri: mongodb://from-file/x\n');
    expect(at(raw, 'mongo.dominoUri')).toBeUndefined();
  });
});
