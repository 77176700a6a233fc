// docs/iam-policy.json against the source: every AWS API the code can call is allowed, nothing else is,
// no wildcard action, every mutating action is scoped by tag, and the scoping does what docs/IAM.md says
// (checked by evaluating concrete requests, including the ones the bot must be refused).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { bakeImageTags, CREATED_BY_TAG, CREATED_BY_VALUE } from '../../src/bake/image-tags.js';
import { configSchema } from '../../src/config-schema.js';
import { scanAwsSdkUsage } from '../support/aws-sdk-usage.js';
import { asList, type IamPolicy, type IamRequest, isAllowed } from '../support/iam-eval.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const policy = JSON.parse(readFileSync(join(ROOT, 'docs', 'iam-policy.json'), 'utf8')) as IamPolicy;
const usage = scanAwsSdkUsage(join(ROOT, 'src'), ROOT);
const usedActions = new Set(usage.calls.map((call) => call.action));
const allowedActions = new Set(policy.Statement.flatMap((s) => asList(s.Action)));

/** The defaults an operator gets without configuring them: the policy must match these. */
const defaults = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [{ name: 'prod' }],
}).deployments[0]!;
const [executorTagKey] = Object.keys(defaults.executorTags);

/** Actions AWS authorises only on `*` (no resource-level permissions). Nothing else may use `*`. */
const STAR_ONLY = new Set([
  'ec2:DescribeInstances',
  'ec2:DescribeImages',
  'ec2:DescribeSnapshots',
  'ssm:DescribeInstanceInformation',
  'ssm:GetCommandInvocation',
  'ssm:ListCommands',
  'ssm:CancelCommand',
]);

const REGION = 'us-west-2';
const ACCOUNT = '111122223333';
const instance = (id: string, tags: Record<string, string>) => ({
  arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`,
  tags,
});
const image = (id: string, tags?: Record<string, string>) => ({ arn: `arn:aws:ec2:${REGION}::image/${id}`, tags });
const snapshot = (id: string, tags?: Record<string, string>) => ({
  arn: `arn:aws:ec2:${REGION}::snapshot/${id}`,
  tags,
});
const document = (name: string) => ({ arn: `arn:aws:ssm:${REGION}::document/${name}` });

const template = instance('i-0template', { Name: 'prod-executor-template' });
const executor = instance('i-0executor', { Name: 'prod-executor-42', [executorTagKey!]: 'tier-small' });
const unrelated = instance('i-0web', { Name: 'prod-web-frontend' });
const bakeTags = bakeImageTags({
  _id: 'bake-20261128-abcd',
  deployment: 'prod',
  requester: 'U0ADMIN01',
  images: ['quay.io/domino/base:1'],
  facts: { instanceId: 'i-0template', imageName: 'domino-prod-executor-20261128-0930' },
} as unknown as BakeRecord);
const ours = { [CREATED_BY_TAG]: CREATED_BY_VALUE };

describe('the AWS calls the source can make', () => {
  it('are all statically known (no namespace, dynamic or aggregated-client use of the SDK)', () => {
    expect(usage.problems).toEqual([]);
    expect(usage.files.length).toBeGreaterThan(0);
  });

  it('are the expected EC2 and SSM operations (a new one must be added to the policy and docs/IAM.md)', () => {
    expect([...usedActions].sort()).toEqual([
      'ec2:CreateImage',
      'ec2:DeleteSnapshot',
      'ec2:DeregisterImage',
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'ec2:DisableImageDeregistrationProtection',
      'ec2:EnableImageDeprecation',
      'ec2:EnableImageDeregistrationProtection',
      'ec2:StartInstances',
      'ec2:StopInstances',
      'ec2:TerminateInstances',
      'ssm:CancelCommand',
      'ssm:DescribeInstanceInformation',
      'ssm:GetCommandInvocation',
      'ssm:ListCommands',
      'ssm:SendCommand',
    ]);
  });

  it('name the same IAM actions in their permission error messages', () => {
    // callAws('ec2:StartInstances', …) / { api: 'ec2:DeleteSnapshot' } tell a user which permission is missing.
    const named = new Set<string>();
    for (const file of usage.files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, action] of text.matchAll(/['"`]((?:ec2|ssm):[A-Z][A-Za-z]+)['"`]/g)) named.add(action!);
    }
    for (const action of named) expect(usedActions, `${action} is named but never called`).toContain(action);
  });
});

describe('docs/iam-policy.json', () => {
  it('is a plain identity policy of Allow statements with unique Sids', () => {
    expect(policy.Version).toBe('2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const statement of policy.Statement) {
      expect(Object.keys(statement).sort()).toEqual(
        statement.Condition
          ? ['Action', 'Condition', 'Effect', 'Resource', 'Sid']
          : ['Action', 'Effect', 'Resource', 'Sid'],
      );
      expect(statement.Effect).toBe('Allow');
      expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it('has no wildcard action', () => {
    for (const action of allowedActions) {
      expect(action).toMatch(/^(ec2|ssm):[A-Z][A-Za-z]+$/);
      expect(action).not.toMatch(/[*?]/);
    }
  });

  it('allows every action the source uses', () => {
    for (const action of usedActions) expect(allowedActions, `${action} is not in the policy`).toContain(action);
  });

  it('allows nothing the source does not use, except CreateTags, which CreateImage needs for its tags', () => {
    const excess = [...allowedActions].filter((action) => !usedActions.has(action));
    expect(excess).toEqual(['ec2:CreateTags']);
  });

  it('uses Resource "*" only for actions that AWS cannot scope to a resource', () => {
    for (const statement of policy.Statement) {
      if (!asList(statement.Resource).includes('*')) continue;
      expect(asList(statement.Resource)).toEqual(['*']);
      for (const action of asList(statement.Action)) expect(STAR_ONLY, `${action} on "*"`).toContain(action);
    }
  });

  it('scopes every mutating action by a condition, except the one fixed SSM document', () => {
    for (const statement of policy.Statement) {
      const resources = asList(statement.Resource);
      if (resources.includes('*')) continue;
      for (const resource of resources) expect(resource).toMatch(/^arn:aws:(ec2|ssm):\*:(\*)?:[a-z-]+\/.+$/);
      if (resources.every((r) => r.endsWith(':document/AWS-RunShellScript'))) continue;
      expect(statement.Condition, `${statement.Sid} has no condition`).toBeDefined();
    }
  });

  it('matches the defaults: template pattern, executor tag and the created-by tag the bake writes', () => {
    const text = JSON.stringify(policy);
    // The default names the deployment (`*{deployment}*executor-template*`); the policy's glob covers every
    // deployment's template at once: the default with any deployment name in place of `{deployment}`.
    expect(defaults.templateNamePattern).toBe('*{deployment}*executor-template*');
    const policyPattern = defaults.templateNamePattern.replace('{deployment}', '*').replace(/\*+/g, '*');
    expect(policyPattern).toBe('*executor-template*');
    expect(text).toContain(`"aws:ResourceTag/Name":"${policyPattern}"`);
    expect(text).toContain(`"ssm:resourceTag/Name":"${policyPattern}"`);
    expect(text).toContain(`"aws:ResourceTag/${executorTagKey}":"false"`);
    expect(bakeTags[CREATED_BY_TAG]).toBe(CREATED_BY_VALUE);
    expect(text).toContain(`"aws:RequestTag/${CREATED_BY_TAG}":"${CREATED_BY_VALUE}"`);
    expect(text).toContain(`"aws:ResourceTag/${CREATED_BY_TAG}":"${CREATED_BY_VALUE}"`);
  });

  it('names the only SSM document the adapter sends', () => {
    const ssm = readFileSync(join(ROOT, 'src', 'adapters', 'aws', 'ssm-adapter.ts'), 'utf8');
    const documents = [...ssm.matchAll(/DocumentName:\s*'([^']+)'/g)].map((m) => m[1]);
    expect(documents).toEqual(['AWS-RunShellScript']);
    const sendCommandDocuments = policy.Statement.filter((s) => asList(s.Action).includes('ssm:SendCommand'))
      .flatMap((s) => asList(s.Resource))
      .filter((r) => r.includes(':document/'));
    expect(sendCommandDocuments).toEqual(['arn:aws:ssm:*:*:document/AWS-RunShellScript']);
  });
});

describe('what the policy allows and refuses', () => {
  const allowed = (request: IamRequest) => isAllowed(policy, request);

  it('describes anything (AWS cannot scope Describe* calls)', () => {
    for (const action of ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeSnapshots']) {
      expect(allowed({ action, resources: [{ arn: '*' }] })).toBe(true);
    }
  });

  it('starts and stops the template, and no other instance', () => {
    for (const action of ['ec2:StartInstances', 'ec2:StopInstances']) {
      expect(allowed({ action, resources: [template] })).toBe(true);
      expect(allowed({ action, resources: [executor] })).toBe(false);
      expect(allowed({ action, resources: [unrelated] })).toBe(false);
    }
  });

  it('creates an image of the template only when the image and snapshots carry the bake tags', () => {
    const request = (from: typeof template, requestTags: Record<string, string>) => ({
      action: 'ec2:CreateImage',
      resources: [from, image('ami-new'), snapshot('snap-new')],
      requestTags,
    });
    expect(allowed(request(template, bakeTags))).toBe(true);
    expect(allowed(request(template, { Name: 'untagged' }))).toBe(false);
    expect(allowed(request(unrelated, bakeTags))).toBe(false);
    const tagging = { action: 'ec2:CreateTags', requestTags: bakeTags, context: { 'ec2:CreateAction': 'CreateImage' } };
    expect(allowed({ ...tagging, resources: [image('ami-new'), snapshot('snap-new')] })).toBe(true);
  });

  it('never tags an existing resource (CreateTags only as part of CreateImage)', () => {
    expect(allowed({ action: 'ec2:CreateTags', resources: [image('ami-gpu')], requestTags: ours })).toBe(false);
    expect(allowed({ action: 'ec2:CreateTags', resources: [template], requestTags: ours })).toBe(false);
    const viaRunInstances = { 'ec2:CreateAction': 'RunInstances' };
    expect(
      allowed({ action: 'ec2:CreateTags', resources: [image('x')], requestTags: ours, context: viaRunInstances }),
    ).toBe(false);
  });

  it('deregisters and deletes only images and snapshots it created', () => {
    expect(allowed({ action: 'ec2:DeregisterImage', resources: [image('ami-ours', bakeTags)] })).toBe(true);
    expect(allowed({ action: 'ec2:DeleteSnapshot', resources: [snapshot('snap-ours', bakeTags)] })).toBe(true);
    // The GPU tier's custom AMI, or any AMI a person made: refused even if the bot were told to.
    expect(allowed({ action: 'ec2:DeregisterImage', resources: [image('ami-gpu', { Name: 'gpu' })] })).toBe(false);
    expect(allowed({ action: 'ec2:DeleteSnapshot', resources: [snapshot('snap-other', {})] })).toBe(false);
  });

  it("protects, unprotects and deprecates only images ami-bot baked for a deployment, never another's AMI", () => {
    const lifecycle = [
      'ec2:EnableImageDeregistrationProtection',
      'ec2:DisableImageDeregistrationProtection',
      'ec2:EnableImageDeprecation',
    ];
    for (const action of lifecycle) {
      expect(allowed({ action, resources: [image('ami-ours', bakeTags)] })).toBe(true);
      // Lifting the protection of an AMI a person made would let anyone with DeregisterImage remove it.
      expect(allowed({ action, resources: [image('ami-gpu', { Name: 'gpu' })] })).toBe(false);
      expect(allowed({ action, resources: [image('ami-nodeployment', ours)] })).toBe(false);
      expect(allowed({ action, resources: [snapshot('snap-ours', bakeTags)] })).toBe(false);
    }
  });

  it('terminates executors, never the template and never an untagged instance', () => {
    expect(allowed({ action: 'ec2:TerminateInstances', resources: [executor] })).toBe(true);
    const taggedTemplate = instance('i-0t2', { Name: 'prod-executor-template', [executorTagKey!]: 'x' });
    expect(allowed({ action: 'ec2:TerminateInstances', resources: [taggedTemplate] })).toBe(false);
    expect(allowed({ action: 'ec2:TerminateInstances', resources: [unrelated] })).toBe(false);
    expect(allowed({ action: 'ec2:TerminateInstances', resources: [executor, unrelated] })).toBe(false);
  });

  it('runs AWS-RunShellScript on the template only', () => {
    const send = (doc: string, on: typeof template) => ({ action: 'ssm:SendCommand', resources: [document(doc), on] });
    expect(allowed(send('AWS-RunShellScript', template))).toBe(true);
    expect(allowed(send('AWS-RunShellScript', executor))).toBe(false);
    expect(allowed(send('AWS-RunShellScript', unrelated))).toBe(false);
    expect(allowed(send('AWS-RunPowerShellScript', template))).toBe(false);
    expect(allowed(send('AWS-StartInteractiveCommand', template))).toBe(false);
  });
});
