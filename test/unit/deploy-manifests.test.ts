// deploy/kubernetes checked as a platform review would: every document parses and is a known kind, the
// Deployment is hardened and wired to the ConfigMap, the Secret and the ServiceAccount it names, the
// Service/PDB/NetworkPolicy select its pods, the kustomization lists every manifest but the example
// Secret, and the embedded configuration passes the bot's real loader. (Schema validation against the
// Kubernetes OpenAPI schemas is `npm run lint:deploy`, run by .ci/run.)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'deploy', 'kubernetes');

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is checked field by field below.
type K8s = Record<string, any>;

interface Manifest {
  file: string;
  doc: K8s;
}

const KNOWN_KINDS: Record<string, string[]> = {
  v1: ['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'Service'],
  'apps/v1': ['Deployment'],
  'policy/v1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
  'kustomize.config.k8s.io/v1beta1': ['Kustomization'],
};

/** Environment variables that carry secrets: never a literal value, always a secretKeyRef. */
const SECRET_ENV = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'MONGODB_URI',
  'AMIBOT_STATE_MONGODB_URI',
  'DOMINO_API_KEY',
];
/** Socket Mode by default: these must be present for the pod to start. */
const REQUIRED_SECRET_ENV = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'MONGODB_URI'];

const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const manifests: Manifest[] = files.flatMap((file) => {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  return docs.map((doc) => {
    if (doc.errors.length > 0 || doc.warnings.length > 0) {
      throw new Error(`${file}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join('; ')}`);
    }
    return { file, doc: doc.toJS() as K8s };
  });
});

function only(kind: string): Manifest {
  const found = manifests.filter((m) => m.doc.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

const deployment = only('Deployment').doc;
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
const envByName = new Map<string, K8s>(container.env.map((e: K8s) => [e.name, e]));
const secretExample = only('Secret').doc;
const configMap = only('ConfigMap').doc;

const selects = (selector: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => podLabels[k] === v);

/** `n`, `nMi`, `nGi`, `nm` → bytes or millicores, for comparing requests with limits. */
function quantity(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(String(value));
  if (!match) throw new Error(`unparsed quantity ${value}`);
  const n = Number(match[1]);
  const unit = { m: 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'm' | 'Ki' | 'Mi' | 'Gi'];
  return unit ? n * unit : n * 1000;
}

describe('deploy/kubernetes', () => {
  it('has one document per file, each of a known apiVersion and kind, named and labelled', () => {
    expect(manifests.length).toBe(files.length);
    for (const { file, doc } of manifests) {
      expect(KNOWN_KINDS[doc.apiVersion], `${file}: apiVersion ${doc.apiVersion}`).toContain(doc.kind);
      if (doc.kind === 'Kustomization') continue;
      expect(doc.metadata.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(doc.metadata.labels['app.kubernetes.io/name'], file).toBe('ami-bot');
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, file).toBe('ami-bot');
    }
  });

  it('enforces the restricted Pod Security Standard on the namespace', () => {
    expect(only('Namespace').doc.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('lists every manifest in kustomization.yaml except the example Secret', () => {
    const kustomization = only('Kustomization').doc;
    const expected = files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml');
    expect([...kustomization.resources].sort()).toEqual(expected);
    expect(kustomization.namespace).toBe('ami-bot');
    expect(kustomization.images[0].name).toBe(container.image.split(':')[0]);
  });
});

describe('the Deployment', () => {
  it('runs two replicas and upgrades one pod at a time without going below two', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    expect(pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it('probes /healthz for start-up and liveness and /readyz for readiness, on the container port', () => {
    const [port] = container.ports;
    expect(port).toMatchObject({ name: 'http', containerPort: 3000, protocol: 'TCP' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(envByName.get('PORT')?.value).toBe(String(port.containerPort));
    // The start-up probe allows a slow MongoDB connection (5 s timeout) plus index creation.
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(30);
  });

  it('runs as the image user 1000, non-root, read-only, without privileges or capabilities', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext.capabilities.add).toBeUndefined();
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
  });

  it('has a writable /tmp (emptyDir) and the config mounted read-only where AMIBOT_CONFIG points', () => {
    const mounts = new Map<string, K8s>(container.volumeMounts.map((m: K8s) => [m.name, m]));
    const volumes = new Map<string, K8s>(pod.volumes.map((v: K8s) => [v.name, v]));
    expect(mounts.get('tmp')?.mountPath).toBe('/tmp');
    expect(volumes.get('tmp')?.emptyDir.sizeLimit).toBeDefined();
    const configPath: string = envByName.get('AMIBOT_CONFIG')?.value;
    expect(mounts.get('config')).toMatchObject({ mountPath: dirname(configPath), readOnly: true });
    const source = volumes.get('config')?.configMap;
    expect(source.name).toBe(configMap.metadata.name);
    expect(source.items).toEqual([{ key: 'config.yaml', path: configPath.split('/').pop() }]);
    expect(Object.keys(configMap.data)).toEqual(['config.yaml']);
  });

  it('takes every secret from the Secret by secretKeyRef, never as a literal', () => {
    for (const name of SECRET_ENV) {
      const ref = envByName.get(name)?.valueFrom?.secretKeyRef;
      expect(ref, `${name} must come from a secretKeyRef`).toBeDefined();
      expect(envByName.get(name)?.value, name).toBeUndefined();
      expect(ref.name).toBe(secretExample.metadata.name);
      expect(ref.key).toBe(name);
      expect(Object.keys(secretExample.stringData), `secret.example.yaml lacks ${name}`).toContain(name);
      expect(ref.optional ?? false, `${name} optional`).toBe(!REQUIRED_SECRET_ENV.includes(name));
    }
    for (const env of container.env as K8s[]) {
      if (env.value !== undefined) expect(env.value, env.name).not.toMatch(/xox[bp]-|xapp-|mongodb(\+srv)?:\/\//);
    }
    expect(container.envFrom).toBeUndefined();
  });

  it('sets only environment variables the bot, Node or the AWS SDK read', () => {
    const config = readFileSync(join(ROOT, 'src', 'config.ts'), 'utf8');
    for (const name of envByName.keys()) {
      if (name === 'NODE_OPTIONS' || name.startsWith('AWS_')) continue;
      const read = config.includes(`env.${name}`) || config.includes(`'${name}'`);
      expect(read, `${name} is not read by src/config.ts`).toBe(true);
    }
  });

  it('requests the measured idle footprint and caps memory, heap inside the cap', () => {
    const { requests, limits } = container.resources;
    expect(requests).toEqual({ cpu: '50m', memory: '256Mi' });
    expect(limits).toEqual({ memory: '400Mi' });
    expect(quantity(requests.memory)).toBeLessThan(quantity(limits.memory));
    const heap = /--max-old-space-size=(\d+)/.exec(envByName.get('NODE_OPTIONS')?.value ?? '');
    expect(heap, 'NODE_OPTIONS sets the heap limit').not.toBeNull();
    expect(Number(heap![1]) * 1024 ** 2).toBeLessThan(quantity(limits.memory) * 0.75);
  });

  it('gives SIGTERM more time than main.ts takes to release leases and exit', () => {
    const main = readFileSync(join(ROOT, 'src', 'main.ts'), 'utf8');
    const force = /setTimeout\(\(\) => process\.exit\(1\), ([\d_]+)\)/.exec(main);
    expect(force, 'main.ts force-exit timer').not.toBeNull();
    const forceSeconds = Number(force![1]!.replaceAll('_', '')) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(forceSeconds + 5);
  });

  it('runs as the ServiceAccount that carries the IRSA role', () => {
    const account = only('ServiceAccount').doc;
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/.+$/);
    expect(account.automountServiceAccountToken).toBe(false);
  });
});

describe('Service, PodDisruptionBudget and NetworkPolicy', () => {
  it('the Service selects the pods and targets the named container port', () => {
    const service = only('Service').doc;
    expect(service.spec.type).toBe('ClusterIP');
    expect(selects(service.spec.selector)).toBe(true);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('the PDB keeps one of the two pods through voluntary disruptions', () => {
    const pdb = only('PodDisruptionBudget').doc;
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it('the NetworkPolicy admits only the HTTP port to the pods', () => {
    const policy = only('NetworkPolicy').doc;
    expect(selects(policy.spec.podSelector.matchLabels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });
});

describe('the configuration the pods get', () => {
  /** What a pod sees: the Deployment's literal env, the example Secret's values, the mounted ConfigMap. */
  const podEnv = (): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const item of container.env as K8s[]) {
      if (item.value !== undefined) env[item.name] = item.value;
      const ref = item.valueFrom?.secretKeyRef;
      if (ref) env[item.name] = secretExample.stringData[ref.key];
    }
    return env;
  };
  const readFile = (path: string) => {
    if (path !== podEnv().AMIBOT_CONFIG) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return configMap.data['config.yaml'];
  };

  it('passes the real loader (src/config.ts) and selects Socket Mode', () => {
    const config = loadConfig(podEnv(), readFile);
    expect(config.sandbox).toBe(false);
    expect(config.slack.appToken).toMatch(/^xapp-/);
    expect(config.slack.port).toBe(3000);
    expect(config.mongo.dominoUri).toMatch(/^mongodb:\/\//);
    expect(config.deployments.map((d) => d.name)).toEqual(['prod']);
    expect(config.deployments[0]!.templateNamePattern).toBe('*executor-template*');
  });

  it('still starts without the optional secrets (signing secret, state URI, Domino API key)', () => {
    const env = podEnv();
    for (const name of SECRET_ENV) if (!REQUIRED_SECRET_ENV.includes(name)) delete env[name];
    const config = loadConfig(env, readFile);
    expect(config.slack.signingSecret).toBeUndefined();
    expect(config.domino.apiKey).toBeUndefined();
  });

  it('keeps no secret in the ConfigMap', () => {
    expect(configMap.data['config.yaml']).not.toMatch(/xox[bp]-|xapp-|mongodb(\+srv)?:\/\/|apiKey|signingSecret/);
  });
});
