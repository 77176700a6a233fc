import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { AppError } from '../../errors.js';
import type { LaunchTemplatePort } from '../../ports/launch-templates.js';
import { callAws, isAwsError } from './aws-errors.js';
import { tagsToRecord } from './ec2-mapping.js';

/** What EC2 answers for a template or a version that is not there (or an id that cannot be one). */
const TEMPLATE_GONE = [
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.Malformed',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateName.NotFoundException',
];

/** Real adapter for the launch templates of EKS node groups, on the bot's EC2 client (same retries). */
export function createLaunchTemplatesAdapter(client: EC2Client): LaunchTemplatePort {
  return {
    async describeVersion(templateId, version) {
      const what = `describe version ${version} of launch template ${templateId}`;
      try {
        // The version's data and the template's tags are two calls; neither changes the other's answer.
        const [versions, templates] = await Promise.all([
          callAws('ec2:DescribeLaunchTemplateVersions', what, () =>
            client.send(
              new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: [version] }),
            ),
          ),
          callAws('ec2:DescribeLaunchTemplates', `describe launch template ${templateId}`, () =>
            client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] })),
          ),
        ]);
        const found = versions.LaunchTemplateVersions?.[0];
        const template = templates.LaunchTemplates?.find((t) => t.LaunchTemplateId === templateId);
        if (found?.VersionNumber === undefined || template === undefined) return undefined;
        const imageId = found.LaunchTemplateData?.ImageId;
        const templateName = found.LaunchTemplateName ?? template.LaunchTemplateName;
        return {
          templateId,
          ...(templateName ? { templateName } : {}),
          version: found.VersionNumber,
          ...(imageId ? { imageId } : {}),
          ...(found.VersionDescription ? { description: found.VersionDescription } : {}),
          templateTags: tagsToRecord(template.Tags),
        };
      } catch (error) {
        if (isAwsError(error, ...TEMPLATE_GONE)) return undefined;
        throw error;
      }
    },

    async createVersion(input) {
      const what = `create a version of launch template ${input.templateId} with image ${input.imageId}`;
      const out = await callAws('ec2:CreateLaunchTemplateVersion', what, () =>
        client.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: input.templateId,
            // Everything else is inherited from the source version: instance type, user data, security groups, …
            SourceVersion: String(input.sourceVersion),
            LaunchTemplateData: { ImageId: input.imageId },
            VersionDescription: input.description.slice(0, 255),
            // A retry with the same token (after a crash) returns the version the first call created.
            ClientToken: input.clientToken,
          }),
        ),
      );
      const number = out.LaunchTemplateVersion?.VersionNumber;
      if (number === undefined) {
        throw new AppError(
          'aws_no_launch_template_version',
          `AWS accepted CreateLaunchTemplateVersion for ${input.templateId} but returned no version number.`,
        );
      }
      return number;
    },
  };
}
