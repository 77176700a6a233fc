// The real EKS and launch template adapters' peers for their port contracts: clients on moto's server, a Domino-like
// cluster seeded through the SDK (CreateCluster, CreateLaunchTemplate, CreateNodegroup), and what stands in for the
// parts of the API moto 5.2.5 does not implement, each said below.
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  type CreateLaunchTemplateVersionCommandInput,
  type CreateLaunchTemplateVersionCommandOutput,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  EC2ServiceException,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type DescribeUpdateCommandInput,
  EKSClient,
  InvalidParameterException,
  ListNodegroupsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type Update,
  UpdateNodegroupVersionCommand,
  type UpdateNodegroupVersionCommandInput,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../src/ports/clock.js';
import type { EksSeed } from '../contract/eks-port.contract.js';
import type { LaunchTemplateSeed } from '../contract/launch-template-port.contract.js';

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const NODE_POOL_LABEL = 'dominodatalab.com/node-pool';
const DEPLOYMENT_TAG = 'domino-deployment';
const TEMPLATE_TAGS = { 'managed-by': 'terraform', [DEPLOYMENT_TAG]: 'acme' };
const TEMPLATE_DATA: RequestLaunchTemplateData = {
  ImageId: 'ami-0b0b0b0b0b0b0b0b1',
  InstanceType: 'm5.2xlarge',
  MetadataOptions: { HttpTokens: 'required' },
};
const meta = { httpStatusCode: 400, requestId: 'stand-in' };

export interface MotoLaunchTemplatesClient {
  client: EC2Client;
  /** Every CreateLaunchTemplateVersion request as the adapter sent it (before the rewrite below). */
  createRequests: CreateLaunchTemplateVersionCommandInput[];
}

/**
 * An EC2Client on moto for launch templates. moto 5.2.5's CreateLaunchTemplateVersion ignores `SourceVersion`
 * (the new version holds only the LaunchTemplateData sent) and `ClientToken` (every call is a new version), both of
 * which the adapter relies on. So, for moto only, this client does what EC2 does with them before the request is
 * serialised: a token seen before returns the first call's answer (a different request with it fails like EC2's
 * IdempotentParameterMismatch), and the source version's data, read from moto, is sent with the adapter's fields
 * on top. moto still creates, numbers and stores every version; `createRequests` keeps what the adapter asked for.
 */
export function motoLaunchTemplatesClient(endpoint: string): MotoLaunchTemplatesClient {
  const client = new EC2Client({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  const createRequests: CreateLaunchTemplateVersionCommandInput[] = [];
  const byToken = new Map<string, { request: string; output: CreateLaunchTemplateVersionCommandOutput }>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'CreateLaunchTemplateVersionCommand') return next(args);
      const input = args.input as CreateLaunchTemplateVersionCommandInput;
      createRequests.push(structuredClone(input));
      const { ClientToken, SourceVersion, ...rest } = input;
      const request = JSON.stringify({ SourceVersion, ...rest });
      const key = `${input.LaunchTemplateId}/${ClientToken}`;
      const earlier = ClientToken === undefined ? undefined : byToken.get(key);
      if (earlier) {
        if (earlier.request !== request) throw ec2Error('IdempotentParameterMismatch', 'Client token reused.');
        return { output: earlier.output, response: {} };
      }
      let data = input.LaunchTemplateData ?? {};
      if (SourceVersion !== undefined) {
        const source = await client.send(
          new DescribeLaunchTemplateVersionsCommand({
            LaunchTemplateId: input.LaunchTemplateId,
            Versions: [SourceVersion],
          }),
        );
        data = { ...(source.LaunchTemplateVersions?.[0]?.LaunchTemplateData as RequestLaunchTemplateData), ...data };
      }
      const result = await next({ ...args, input: { ...rest, LaunchTemplateData: data } });
      if (ClientToken !== undefined) {
        byToken.set(key, { request, output: result.output as CreateLaunchTemplateVersionCommandOutput });
      }
      return result;
    },
    { step: 'initialize', name: 'motoLaunchTemplateSourceVersionAndClientToken' },
  );
  return { client, createRequests };
}

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', $metadata: meta, message });
}

/** The whole LaunchTemplateData of a version, as moto stores it. */
export async function motoLaunchTemplateData(
  client: EC2Client,
  templateId: string,
  version: number,
): Promise<Record<string, unknown>> {
  const out = await client.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: [String(version)] }),
  );
  return { ...out.LaunchTemplateVersions?.[0]?.LaunchTemplateData };
}

async function createTemplate(client: EC2Client, name: string): Promise<string> {
  const out = await client.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      VersionDescription: 'created by terraform',
      LaunchTemplateData: TEMPLATE_DATA,
      TagSpecifications: [
        {
          ResourceType: 'launch-template',
          Tags: Object.entries(TEMPLATE_TAGS).map(([Key, Value]) => ({ Key, Value })),
        },
      ],
    }),
  );
  const id = out.LaunchTemplate?.LaunchTemplateId;
  if (!id) throw new Error(`moto created launch template ${name} without an id`);
  return id;
}

/** One node group's launch template, version 1 only (the launch template contract's starting point). */
export async function seedMotoLaunchTemplate(client: EC2Client, templateName: string): Promise<LaunchTemplateSeed> {
  return {
    templateId: await createTemplate(client, templateName),
    templateName,
    templateTags: TEMPLATE_TAGS,
    imageId: TEMPLATE_DATA.ImageId!,
    description: 'created by terraform',
    newImageIds: ['ami-0aaaaaaaaaaaaaaa1', 'ami-0aaaaaaaaaaaaaaa2'],
  };
}

export function motoEksClient(endpoint: string): EKSClient {
  return new EKSClient({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
}

/**
 * The EKS contract's cluster on moto: two CUSTOM compute node groups, each on version 1 of its own launch template
 * (which also has a version 2 with another AMI), and `platform`, created without a launch template.
 */
export async function seedMotoEks(eks: EKSClient, ec2: EC2Client): Promise<EksSeed> {
  const cluster = 'acme';
  await eks.send(
    new CreateClusterCommand({
      name: cluster,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/acme-eks-cluster`,
      resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d4e5f60718'] },
    }),
  );
  const labels = { [NODE_POOL_LABEL]: 'compute' };
  const tags = { [DEPLOYMENT_TAG]: cluster };
  const nodegroup = async (name: string, template?: string) => {
    const id = template === undefined ? undefined : await createTemplate(ec2, template);
    if (id) {
      await ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: id,
          SourceVersion: '1',
          LaunchTemplateData: { ImageId: 'ami-0aaaaaaaaaaaaaaa1' },
        }),
      );
    }
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: cluster,
        nodegroupName: name,
        nodeRole: `arn:aws:iam::${ACCOUNT}:role/acme-eks-nodes`,
        subnets: ['subnet-0a1b2c3d4e5f60718'],
        scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
        labels: id ? labels : { [NODE_POOL_LABEL]: 'platform' },
        tags,
        ...(id ? { amiType: 'CUSTOM', launchTemplate: { id, version: '1' } } : { amiType: 'AL2_x86_64' }),
      }),
    );
    return id ?? '';
  };
  const templateId = await nodegroup('compute-us-east-1a', 'acme-compute-us-east-1a');
  const otherTemplateId = await nodegroup('compute-us-east-1b', 'acme-compute-us-east-1b');
  await nodegroup('platform');
  return {
    cluster,
    nodegroups: ['compute-us-east-1a', 'compute-us-east-1b', 'platform'],
    nodegroup: 'compute-us-east-1a',
    templateId,
    templateName: 'acme-compute-us-east-1a',
    labels,
    tags,
    otherNodegroup: 'compute-us-east-1b',
    otherTemplateId,
    withoutTemplate: 'platform',
    withoutTemplateAmiType: 'AL2_x86_64',
  };
}

interface StandInUpdate {
  cluster: string;
  nodegroup: string;
  token: string | undefined;
  update: Update;
  version: string;
  force: boolean;
  steps: number;
  /** On the stand-in's clock, when the update started. */
  startedMs: number;
}

export interface EksUpdateStandIn {
  /** The client the real adapter is given: moto behind it, but for the two calls moto lacks. */
  client: EKSClient;
  /** What the adapter sent to UpdateNodegroupVersion. */
  updateRequests: UpdateNodegroupVersionCommandInput[];
  /** One step of every update in progress: the second step ends it. */
  advance(): void;
  /** Updates not forced end Failed with EKS's PodEvictionFailure. */
  failUpdates(): void;
  /** Every DescribeUpdate answer, in order: how an update went InProgress → Successful. */
  describeAnswers: Array<{ nodegroup: string; updateId: string; status: string }>;
  /** Every update EKS started (a request repeated with its token is the same one), in order. */
  started(): Array<{ nodegroup: string; updateId: string }>;
}

export interface EksUpdateStandInOptions {
  /** With a clock, an update also takes one step per `stepMs` of it (a rolling update's pace), not only on advance(). */
  clock?: Clock;
  stepMs?: number;
}

/**
 * moto 5.2.5 has no UpdateNodegroupVersion or DescribeUpdate. The real adapter gets an EKSClient under
 * aws-sdk-client-mock whose ListNodegroups and DescribeNodegroup are moto's answers (a second client on moto
 * sends them), and whose UpdateNodegroupVersion and DescribeUpdate are scripted the way EKS documents them: the
 * node group must exist in moto (else moto's ResourceNotFoundException), have a launch template, be asked for its
 * own template and a version that exists in moto's EC2; a clientRequestToken seen before is the same update; an
 * update in progress makes the node group UPDATING (ResourceInUseException for another one) and, once Successful,
 * its launch template version the new one: DescribeNodegroup shows both on top of moto's answer.
 */
export function eksUpdateStandIn(
  moto: EKSClient,
  ec2: EC2Client,
  options: EksUpdateStandInOptions = {},
): EksUpdateStandIn {
  const client = new EKSClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  const mock = mockClient(client);
  const updates: StandInUpdate[] = [];
  const updateRequests: UpdateNodegroupVersionCommandInput[] = [];
  let failing = false;
  const describeAnswers: EksUpdateStandIn['describeAnswers'] = [];
  const nowMs = () => options.clock?.now().getTime() ?? 0;
  const stepMs = options.stepMs ?? 60_000;
  const of = (cluster: string | undefined, nodegroup: string | undefined) => {
    if (options.clock) for (const u of updates) step(u, Math.floor((nowMs() - u.startedMs) / stepMs));
    return updates.filter((u) => u.cluster === cluster && u.nodegroup === nodegroup);
  };
  /** The update at `steps` steps (never fewer than it had): the second one ends it. */
  function step(u: StandInUpdate, steps: number): void {
    if (u.update.status !== 'InProgress' || steps <= u.steps) return;
    u.steps = steps;
    if (u.steps < 2) return;
    if (failing && !u.force) {
      u.update.status = 'Failed';
      u.update.errors = [
        {
          errorCode: 'PodEvictionFailure',
          errorMessage: `Reached max retries while trying to evict pods from nodes in node group ${u.nodegroup}`,
          resourceIds: [u.nodegroup],
        },
      ];
    } else {
      u.update.status = 'Successful';
    }
  }

  mock.on(ListNodegroupsCommand).callsFake((input) => moto.send(new ListNodegroupsCommand(input)));
  mock.on(DescribeNodegroupCommand).callsFake(async (input) => {
    const out = await moto.send(new DescribeNodegroupCommand(input));
    const mine = of(input.clusterName, input.nodegroupName);
    const done = mine.filter((u) => u.update.status === 'Successful').at(-1);
    const ng = out.nodegroup;
    if (ng?.launchTemplate && done) ng.launchTemplate = { ...ng.launchTemplate, version: done.version };
    if (ng && mine.some((u) => u.update.status === 'InProgress')) ng.status = 'UPDATING';
    return out;
  });
  mock.on(UpdateNodegroupVersionCommand).callsFake(async (input: UpdateNodegroupVersionCommandInput) => {
    updateRequests.push(structuredClone(input));
    const ng = (await moto.send(new DescribeNodegroupCommand(input))).nodegroup;
    const mine = of(input.clusterName, input.nodegroupName);
    const earlier = mine.find((u) => u.token !== undefined && u.token === input.clientRequestToken);
    if (earlier) return { update: earlier.update };
    if (mine.some((u) => u.update.status === 'InProgress')) {
      throw new ResourceInUseException({
        message: `Nodegroup ${input.nodegroupName} is currently updating.`,
        $metadata: meta,
      });
    }
    const wanted = input.launchTemplate;
    if (!ng?.launchTemplate?.id) {
      throw new InvalidParameterException({
        message: 'You can only update a node group using a launch template if it was deployed with one.',
        $metadata: meta,
      });
    }
    if (wanted?.id !== ng.launchTemplate.id || wanted.version === undefined) {
      throw new InvalidParameterException({ message: `Use launch template ${ng.launchTemplate.id}.`, $metadata: meta });
    }
    try {
      await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: wanted.id, Versions: [wanted.version] }),
      );
    } catch {
      throw new InvalidParameterException({
        message: `Launch template version ${wanted.version} does not exist.`,
        $metadata: meta,
      });
    }
    const update: Update = {
      id: crypto.randomUUID(),
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [{ type: 'LaunchTemplateVersion', value: wanted.version }],
      createdAt: new Date(),
      errors: [],
    };
    updates.push({
      cluster: input.clusterName!,
      nodegroup: input.nodegroupName!,
      token: input.clientRequestToken,
      update,
      version: wanted.version,
      force: input.force ?? false,
      steps: 0,
      startedMs: nowMs(),
    });
    return { update };
  });
  mock.on(DescribeUpdateCommand).callsFake((input: DescribeUpdateCommandInput) => {
    const found = of(input.name, input.nodegroupName).find((u) => u.update.id === input.updateId);
    if (!found)
      throw new ResourceNotFoundException({ message: `No update found for ID: ${input.updateId}.`, $metadata: meta });
    describeAnswers.push({ nodegroup: found.nodegroup, updateId: found.update.id!, status: found.update.status! });
    return { update: structuredClone(found.update) };
  });

  return {
    client,
    updateRequests,
    describeAnswers,
    started: () => updates.map((u) => ({ nodegroup: u.nodegroup, updateId: u.update.id! })),
    advance() {
      for (const u of updates) step(u, u.steps + 1);
    },
    failUpdates() {
      failing = true;
    },
  };
}
