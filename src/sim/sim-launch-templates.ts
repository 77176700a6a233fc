import type { Clock } from '../ports/clock.js';
import type { LaunchTemplatePort, LaunchTemplateVersionInfo } from '../ports/launch-templates.js';
import { enterAws, SimAwsFault, simAws } from './aws-fault.js';
import type { Faults } from './faults.js';
import type { SimLaunchTemplate, SimLaunchTemplateVersion } from './sim-eks-state.js';
import type { SimWorld } from './sim-world.js';

const TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;

/** EC2 launch templates as LaunchTemplatePort sees them, with EC2's version numbering, client tokens and errors. */
export function createSimLaunchTemplates(world: SimWorld, clock: Clock, faults: Faults): LaunchTemplatePort {
  const enter = () => enterAws(world, clock, faults);
  return {
    async describeVersion(templateId, version) {
      await enter();
      const template = world.launchTemplates.get(templateId);
      const found = template && findVersion(template, version);
      return found && toVersionInfo(template, found);
    },
    async createVersion(input) {
      const nowMs = await enter();
      return simAws(
        'ec2:CreateLaunchTemplateVersion',
        `create a version of launch template ${input.templateId}`,
        () => {
          const template = requireTemplate(world, input.templateId);
          // Same token, same request: the version the first call made. Same token, other request: EC2's mismatch.
          const request = JSON.stringify([input.sourceVersion, input.imageId, input.description]);
          const earlier = template.clientTokens.get(input.clientToken);
          if (earlier !== undefined) {
            if (earlier.request !== request) {
              throw new SimAwsFault(
                'IdempotentParameterMismatch',
                'The client token you have provided is associated with a resource that is already deleted or has different parameters. Use a different client token.',
              );
            }
            return earlier.version;
          }
          const source = findVersion(template, String(input.sourceVersion));
          if (source === undefined) throw versionNotFound(template.id, String(input.sourceVersion));
          const created = addLaunchTemplateVersion(template, {
            imageId: input.imageId,
            description: input.description.slice(0, 255),
            data: structuredClone(source.data),
            createdMs: nowMs,
          });
          template.clientTokens.set(input.clientToken, { version: created.number, request });
          return created.number;
        },
      );
    },
  };
}

/** Appends the next numbered version (EC2 numbers from 1 and never reuses a number); the default stays. */
export function addLaunchTemplateVersion(
  template: SimLaunchTemplate,
  version: Omit<SimLaunchTemplateVersion, 'number'>,
): SimLaunchTemplateVersion {
  const created: SimLaunchTemplateVersion = { ...version, number: template.versions.length + 1 };
  template.versions.push(created);
  return created;
}

/** `$Latest`, `$Default` or a version number; undefined when there is no such version. */
export function findVersion(template: SimLaunchTemplate, version: string): SimLaunchTemplateVersion | undefined {
  if (version === '$Latest') return template.versions.at(-1);
  if (version === '$Default') return template.versions[template.defaultVersion - 1];
  if (!/^[1-9]\d*$/.test(version)) return undefined;
  return template.versions[Number(version) - 1];
}

export function requireTemplate(world: SimWorld, templateId: string): SimLaunchTemplate {
  if (!TEMPLATE_ID.test(templateId)) {
    throw new SimAwsFault(
      'InvalidLaunchTemplateId.Malformed',
      `The specified ID for the launch template (${templateId}) is not valid. IDs must be in the form lt-xxxxxxxxxxxxxxxxx.`,
    );
  }
  const template = world.launchTemplates.get(templateId);
  if (template === undefined) {
    throw new SimAwsFault(
      'InvalidLaunchTemplateId.NotFound',
      `The specified launch template, with template ID ${templateId}, does not exist.`,
    );
  }
  return template;
}

export function versionNotFound(templateId: string, version: string): SimAwsFault {
  return new SimAwsFault(
    'InvalidLaunchTemplateId.VersionNotFound',
    `Could not find the specified version ${version} for the launch template with ID ${templateId}.`,
  );
}

function toVersionInfo(template: SimLaunchTemplate, version: SimLaunchTemplateVersion): LaunchTemplateVersionInfo {
  return {
    templateId: template.id,
    templateName: template.name,
    version: version.number,
    ...(version.imageId === undefined ? {} : { imageId: version.imageId }),
    ...(version.description === undefined ? {} : { description: version.description }),
    templateTags: { ...template.tags },
  };
}
