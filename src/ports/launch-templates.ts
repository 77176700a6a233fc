/** The EC2 launch templates that EKS managed node groups launch their nodes from. */

export interface LaunchTemplateVersionInfo {
  templateId: string;
  templateName?: string;
  version: number;
  /** The AMI this version launches; absent when the version leaves it to EKS. */
  imageId?: string;
  description?: string;
  /** Tags of the launch template itself (e.g. those Terraform puts on what it manages). */
  templateTags: Record<string, string>;
}

export interface CreateLaunchTemplateVersionInput {
  templateId: string;
  /** The version copied: everything but `ImageId` stays as it is (CreateLaunchTemplateVersion's SourceVersion). */
  sourceVersion: number;
  imageId: string;
  description: string;
  /** Idempotency token (≤ 64 ASCII chars): a retry after a crash returns the version the first call created. */
  clientToken: string;
}

export interface LaunchTemplatePort {
  /** One version (`version` a number, `$Latest` or `$Default`); undefined when the template or version is gone. */
  describeVersion(templateId: string, version: string): Promise<LaunchTemplateVersionInfo | undefined>;
  /** Returns the new version's number. */
  createVersion(input: CreateLaunchTemplateVersionInput): Promise<number>;
}
