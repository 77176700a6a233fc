import { describe, expect, it } from 'vitest';
import {
  bakeProvision,
  bakeRuntime,
  bakeRuntimeChoice,
  deploymentProvision,
  deploymentRuntimeChoice,
  detectionOrder,
  provisionTitle,
  runtimeSuffix,
} from '../../src/bake/template-runtime.js';

describe('template-runtime: what a bake does on its template', () => {
  it('a deployment’s defaults follow its kind; what is configured wins', () => {
    expect(deploymentRuntimeChoice({ kind: 'hardware-tiers' })).toBe('docker');
    expect(deploymentRuntimeChoice({ kind: 'eks-node-groups' })).toBe('auto');
    expect(deploymentRuntimeChoice({ kind: 'hardware-tiers', containerRuntime: 'nerdctl' })).toBe('nerdctl');
    expect(deploymentProvision({ kind: 'hardware-tiers' })).toBe('salt-highstate');
    expect(deploymentProvision({ kind: 'eks-node-groups' })).toBe('none');
    expect(deploymentProvision({ kind: 'eks-node-groups', provision: { script: '/opt/x.sh' } })).toEqual({
      script: '/opt/x.sh',
    });
  });

  it('a bake saved before runtimes were configurable reads as docker and salt', () => {
    expect(bakeRuntimeChoice({})).toBe('docker');
    expect(bakeProvision({})).toBe('salt-highstate');
    expect(bakeRuntime({ facts: {} })).toBe('docker');
    expect(runtimeSuffix({ facts: {} })).toBe('');
    expect(provisionTitle({})).toBe('salt-call state.highstate');
  });

  it('auto: no runtime until it is detected, then the detected one', () => {
    expect(bakeRuntime({ runtimeChoice: 'auto', facts: {} })).toBeUndefined();
    expect(runtimeSuffix({ runtimeChoice: 'auto', facts: {} })).toBe(' (runtime detected on the template)');
    expect(bakeRuntime({ runtimeChoice: 'auto', facts: { containerRuntime: 'nerdctl' } })).toBe('nerdctl');
    expect(runtimeSuffix({ runtimeChoice: 'auto', facts: { containerRuntime: 'ctr' } })).toBe(' (containerd, ctr)');
    // A configured runtime is not overridden by a stray fact.
    expect(bakeRuntime({ runtimeChoice: 'docker', facts: { containerRuntime: 'ctr' } })).toBe('docker');
  });

  it('detection tries containerd on EKS nodes, docker first on executor templates', () => {
    expect(detectionOrder('eks-node-groups')).toEqual(['nerdctl', 'ctr']);
    expect(detectionOrder('hardware-tiers')).toEqual(['docker', 'nerdctl', 'ctr']);
  });

  it('the provisioning title says what runs', () => {
    expect(provisionTitle({ provision: 'none' })).toBe('Provision (none configured)');
    expect(provisionTitle({ provision: { script: '/opt/domino/bake.sh' } })).toBe(
      'Provision (script /opt/domino/bake.sh)',
    );
  });
});
