// docs/iam-policy.json (every deployment) and docs/iam-policy-eks.json (added for `eks-node-groups` deployments)
// against the source: every AWS API the code can call is allowed by the policy of the files that call it, nothing
// else is, no wildcard action, every mutating action is scoped by tag, and the scoping does what docs/IAM.md says
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
const eksPolicy = JSON.parse(readFileSync(join(ROOT, 'docs', 'iam-policy-eks.json'), 'utf8')) as IamPolicy;
const usage = scanAwsSdkUsage(join(ROOT, 'src'), ROOT);
/** The files only an `eks-node-groups` deployment loads: their calls are the EKS addition's to allow. */
const EKS_KIND_FILES = new Set([
  'src/adapters/aws/eks-adapter.ts',
  'src/adapters/aws/eks-client.ts',
  'src/adapters/aws/launch-templates-adapter.ts',
]);
const actionsOf = (eks: boolean) =>
  new Set(usage.calls.filter((call) => EKS_KIND_FILES.has(call.file) === eks).map((call) => call.action));
const usedActions = actionsOf(false);
const eksUsedActions = actionsOf(true);
const allowedActions = new Set(policy.Statement.flatMap((s) => asList(s.Action)));
const eksAllowedActions = new Set(eksPolicy.Statement.flatMap((s) => asList(s.Action)));

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
  'ec2:DescribeVolumes',
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
      'ec2:DescribeVolumes',
      'ec2:DisableImageDeprecation',
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

  it('are, for an eks-node-groups deployment, these EKS and launch template operations (docs/iam-policy-eks.json)', () => {
    expect([...EKS_KIND_FILES].filter((file) => !usage.files.includes(file))).toEqual([]);
    expect([...eksUsedActions].sort()).toEqual([
      'ec2:CreateLaunchTemplateVersion',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeLaunchTemplates',
      'eks:DescribeNodegroup',
      'eks:DescribeUpdate',
      'eks:ListNodegroups',
      'eks:UpdateNodegroupVersion',
    ]);
  });

  it('name the same IAM actions in their permission error messages', () => {
    // callAws('ec2:StartInstances', …) / { api: 'ec2:DeleteSnapshot' } tell a user which permission is missing.
    const named = new Set<string>();
    for (const file of usage.files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, action] of text.matchAll(/['"`]((?:ec2|eks|ssm):[A-Z][A-Za-z]+)['"`]/g)) named.add(action!);
    }
    const called = new Set([...usedActions, ...eksUsedActions]);
    for (const action of named) expect(called, `${action} is named but never called`).toContain(action);
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

  it('deregisters and deletes only images and snapshots it baked for a deployment', () => {
    expect(allowed({ action: 'ec2:DeregisterImage', resources: [image('ami-ours', bakeTags)] })).toBe(true);
    expect(allowed({ action: 'ec2:DeleteSnapshot', resources: [snapshot('snap-ours', bakeTags)] })).toBe(true);
    // created-by=ami-bot without the deployment tag (put on by hand, or by something else): not a bake's.
    expect(allowed({ action: 'ec2:DeregisterImage', resources: [image('ami-nodeployment', ours)] })).toBe(false);
    expect(allowed({ action: 'ec2:DeleteSnapshot', resources: [snapshot('snap-nodeployment', ours)] })).toBe(false);
    // The GPU tier's custom AMI, or any AMI a person made: refused even if the bot were told to.
    expect(allowed({ action: 'ec2:DeregisterImage', resources: [image('ami-gpu', { Name: 'gpu' })] })).toBe(false);
    expect(allowed({ action: 'ec2:DeleteSnapshot', resources: [snapshot('snap-other', {})] })).toBe(false);
  });

  it("protects, unprotects and deprecates only images ami-bot baked for a deployment, never another's AMI", () => {
    const lifecycle = [
      'ec2:EnableImageDeregistrationProtection',
      'ec2:DisableImageDeregistrationProtection',
      'ec2:EnableImageDeprecation',
      'ec2:DisableImageDeprecation',
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

/** The EKS addition's read calls AWS authorises only on `*`. */
const EKS_STAR_ONLY = new Set(['ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions']);
const [deploymentTagKey] = Object.keys(defaults.executorScopeTags);

describe('docs/iam-policy-eks.json (added to the role of an eks-node-groups deployment)', () => {
  it('is a plain identity policy of Allow statements with unique Sids, none shared with the base policy', () => {
    expect(eksPolicy.Version).toBe('2012-10-17');
    const sids = eksPolicy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const sid of sids) expect(policy.Statement.map((s) => s.Sid)).not.toContain(sid);
    for (const statement of eksPolicy.Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it('allows exactly what the EKS files call, with no wildcard action and nothing of the base policy', () => {
    expect([...eksAllowedActions].sort()).toEqual([...eksUsedActions].sort());
    for (const action of eksAllowedActions) {
      expect(action).toMatch(/^(ec2|eks):[A-Z][A-Za-z]+$/);
      expect(allowedActions).not.toContain(action);
    }
  });

  it('uses Resource "*" only for the launch template reads, and scopes every change by the deployment tag', () => {
    for (const statement of eksPolicy.Statement) {
      const resources = asList(statement.Resource);
      if (resources.includes('*')) {
        expect(resources).toEqual(['*']);
        for (const action of asList(statement.Action)) expect(EKS_STAR_ONLY, `${action} on "*"`).toContain(action);
        continue;
      }
      for (const resource of resources) {
        expect(resource).toMatch(
          /^arn:aws:(eks:\*:\*:(cluster\/\*|nodegroup\/\*\/\*\/\*)|ec2:\*:\*:launch-template\/\*)$/,
        );
      }
      const mutating = asList(statement.Action).filter((a) => !/:(Describe|List)/.test(a));
      if (mutating.length === 0) continue;
      expect(statement.Condition, `${statement.Sid} has no condition`).toEqual({
        Null: { [`aws:ResourceTag/${deploymentTagKey}`]: 'false' },
      });
    }
  });
});

describe('what the EKS addition allows and refuses', () => {
  const both: IamPolicy = { Version: '2012-10-17', Statement: [...policy.Statement, ...eksPolicy.Statement] };
  const allowed = (request: IamRequest, policies: IamPolicy = both) => isAllowed(policies, request);
  const cluster = { arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod` };
  const nodegroup = (name: string, tags: Record<string, string>) => ({
    arn: `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/prod/${name}/2ac7e1b0-1d2e-4f3a-9b8c-7d6e5f4a3b2c`,
    tags,
  });
  const launchTemplate = (id: string, tags: Record<string, string>) => ({
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/${id}`,
    tags,
  });
  const scoped = { [deploymentTagKey!]: 'prod', 'managed-by': 'terraform' };
  const compute = nodegroup('compute-us-west-2a', scoped);
  const foreign = nodegroup('other-team', { team: 'web' });

  it('reads node groups, their updates and the launch templates', () => {
    expect(allowed({ action: 'eks:ListNodegroups', resources: [cluster] })).toBe(true);
    expect(allowed({ action: 'eks:DescribeNodegroup', resources: [foreign] })).toBe(true);
    expect(allowed({ action: 'eks:DescribeUpdate', resources: [cluster, compute] })).toBe(true);
    for (const action of EKS_STAR_ONLY) expect(allowed({ action, resources: [{ arn: '*' }] })).toBe(true);
  });

  it('updates and versions only node groups and launch templates tagged with the deployment', () => {
    expect(allowed({ action: 'eks:UpdateNodegroupVersion', resources: [compute] })).toBe(true);
    expect(allowed({ action: 'eks:UpdateNodegroupVersion', resources: [foreign] })).toBe(false);
    const version = (template: ReturnType<typeof launchTemplate>) => ({
      action: 'ec2:CreateLaunchTemplateVersion',
      resources: [template],
    });
    expect(allowed(version(launchTemplate('lt-0compute', scoped)))).toBe(true);
    expect(allowed(version(launchTemplate('lt-0other', { team: 'web' })))).toBe(false);
  });

  it('is needed: the base policy alone allows none of it, and it adds nothing to the hardware-tier flow', () => {
    expect(allowed({ action: 'eks:UpdateNodegroupVersion', resources: [compute] }, policy)).toBe(false);
    expect(
      allowed({ action: 'ec2:CreateLaunchTemplateVersion', resources: [launchTemplate('lt-0', scoped)] }, policy),
    ).toBe(false);
    const executor = instance('i-0executor', { Name: 'prod-executor-42', [deploymentTagKey!]: 'prod' });
    expect(allowed({ action: 'ec2:TerminateInstances', resources: [executor] }, eksPolicy)).toBe(false);
  });

  it('never creates, resizes or deletes node groups or templates, changes a default version or passes a role', () => {
    for (const action of [
      'eks:CreateNodegroup',
      'eks:UpdateNodegroupConfig',
      'eks:DeleteNodegroup',
      'eks:TagResource',
      'ec2:CreateLaunchTemplate',
      'ec2:ModifyLaunchTemplate',
      'ec2:DeleteLaunchTemplate',
      'ec2:DeleteLaunchTemplateVersions',
      'ec2:CreateTags',
      'iam:PassRole',
    ]) {
      const resources = action.startsWith('eks:') ? [compute] : [launchTemplate('lt-0compute', scoped)];
      expect(allowed({ action, resources, requestTags: scoped }), action).toBe(false);
    }
  });
});
