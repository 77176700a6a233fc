import { beforeEach, describe, expect, it } from 'vitest';
import type { CreateLaunchTemplateVersionInput, LaunchTemplatePort } from '../../src/ports/launch-templates.js';
import { appErrorOf } from './app-error-of.js';

/** What each EC2 under test holds: one node group's launch template with a single version (the default). */
export interface LaunchTemplateSeed {
  templateId: string;
  templateName: string;
  templateTags: Record<string, string>;
  /** Version 1's AMI and description. */
  imageId: string;
  description: string;
  /** AMIs to put in new versions. */
  newImageIds: [string, string];
}

export interface LaunchTemplatesUnderTest {
  launchTemplates: LaunchTemplatePort;
  seed: LaunchTemplateSeed;
  /** The whole LaunchTemplateData of a version, as EC2 stores it: what a SourceVersion copy must keep. */
  launchTemplateData(templateId: string, version: number): Promise<Record<string, unknown>>;
}

const UNKNOWN_TEMPLATE = 'lt-0123456789abcdef0';

/** One behaviour for LaunchTemplatePort: the simulator and the real adapter on moto's EC2. */
export function launchTemplatePortContract(name: string, setup: () => Promise<LaunchTemplatesUnderTest>) {
  describe(`LaunchTemplatePort contract: ${name}`, () => {
    let t: LaunchTemplatesUnderTest;
    const input = (over: Partial<CreateLaunchTemplateVersionInput> = {}): CreateLaunchTemplateVersionInput => ({
      templateId: t.seed.templateId,
      sourceVersion: 1,
      imageId: t.seed.newImageIds[0],
      description: 'ami-bot change ch-1: domino-acme-eks-node-20260901-1400',
      clientToken: 'ch-1-compute-us-west-2a',
      ...over,
    });
    beforeEach(async () => {
      t = await setup();
    });

    it('describes a version by number, $Latest and $Default: its AMI, description and the template tags', async () => {
      const expected = {
        templateId: t.seed.templateId,
        templateName: t.seed.templateName,
        version: 1,
        imageId: t.seed.imageId,
        description: t.seed.description,
        templateTags: t.seed.templateTags,
      };
      expect(await t.launchTemplates.describeVersion(t.seed.templateId, '1')).toEqual(expected);
      expect(await t.launchTemplates.describeVersion(t.seed.templateId, '$Latest')).toEqual(expected);
      expect(await t.launchTemplates.describeVersion(t.seed.templateId, '$Default')).toEqual(expected);
    });

    it('an unknown version, template or malformed template id is undefined, not an error', async () => {
      expect(await t.launchTemplates.describeVersion(t.seed.templateId, '99')).toBeUndefined();
      expect(await t.launchTemplates.describeVersion(UNKNOWN_TEMPLATE, '1')).toBeUndefined();
      expect(await t.launchTemplates.describeVersion('not-a-template', '1')).toBeUndefined();
    });

    it('creates the next version from the source with only ImageId changed; the default stays', async () => {
      const before = await t.launchTemplateData(t.seed.templateId, 1);
      expect(await t.launchTemplates.createVersion(input())).toBe(2);
      expect(await t.launchTemplates.describeVersion(t.seed.templateId, '2')).toMatchObject({
        version: 2,
        imageId: t.seed.newImageIds[0],
        description: input().description,
        templateTags: t.seed.templateTags,
      });
      expect(await t.launchTemplateData(t.seed.templateId, 2)).toEqual({ ...before, ImageId: t.seed.newImageIds[0] });
      expect((await t.launchTemplates.describeVersion(t.seed.templateId, '$Latest'))?.version).toBe(2);
      expect((await t.launchTemplates.describeVersion(t.seed.templateId, '$Default'))?.version).toBe(1);
      // Version 1 is unchanged: a revert can point back at it.
      expect((await t.launchTemplates.describeVersion(t.seed.templateId, '1'))?.imageId).toBe(t.seed.imageId);
    });

    it('the same clientToken returns the version the first call made, and creates no other', async () => {
      const first = await t.launchTemplates.createVersion(input());
      expect(await t.launchTemplates.createVersion(input())).toBe(first);
      expect((await t.launchTemplates.describeVersion(t.seed.templateId, '$Latest'))?.version).toBe(first);
      const next = await t.launchTemplates.createVersion(
        input({ clientToken: 'ch-2-compute-us-west-2a', imageId: t.seed.newImageIds[1] }),
      );
      expect(next).toBe(first + 1);
    });

    it('copies the source version asked for, not the latest (a revert from version 1)', async () => {
      const before = await t.launchTemplateData(t.seed.templateId, 1);
      await t.launchTemplates.createVersion(input());
      const third = await t.launchTemplates.createVersion(
        input({ sourceVersion: 1, imageId: t.seed.newImageIds[1], clientToken: 'revert-ch-1' }),
      );
      expect(third).toBe(3);
      expect(await t.launchTemplateData(t.seed.templateId, 3)).toEqual({ ...before, ImageId: t.seed.newImageIds[1] });
    });

    it('an unknown template or source version is an AWS error, and creates nothing', async () => {
      const noTemplate = await appErrorOf(t.launchTemplates.createVersion(input({ templateId: UNKNOWN_TEMPLATE })));
      expect(noTemplate.code).toBe('aws_InvalidLaunchTemplateId.NotFound');
      expect(noTemplate.message).toContain(UNKNOWN_TEMPLATE);
      const noSource = await appErrorOf(t.launchTemplates.createVersion(input({ sourceVersion: 42 })));
      expect(noSource.code).toBe('aws_InvalidLaunchTemplateId.VersionNotFound');
      expect((await t.launchTemplates.describeVersion(t.seed.templateId, '$Latest'))?.version).toBe(1);
    });
  });
}
