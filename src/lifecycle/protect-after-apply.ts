import type { ChangeAppliedListener } from '../rollout/change-applied.js';
import { plural } from '../shared/format.js';
import { code, icon, joinText, type Text, text } from '../shared/text.js';
import type { LifecycleDeps } from './lifecycle-deps.js';
import { type ProtectionReport, protectInUse } from './protect-in-use.js';

const ids = (list: readonly string[]) =>
  joinText(
    list.map((id) => code(id)),
    ', ',
  );

/** The thread line after an apply: what protection changed, and what could not be (nothing said when nothing did). */
export function protectionReportText(report: ProtectionReport, cooldown: boolean): Text | undefined {
  const parts: Text[] = [];
  if (report.protected.length > 0)
    parts.push(
      text`${plural(report.protected.length, 'AMI')} in use protected from deregistration (${ids(report.protected)})`,
    );
  if (report.released.length > 0)
    parts.push(
      text`protection lifted from ${plural(report.released.length, 'superseded AMI')} (${ids(report.released)})${cooldown ? ', which EC2 still holds for 24 h' : ''}`,
    );
  if (report.deprecated.length > 0)
    parts.push(
      text`${plural(report.deprecated.length, 'superseded AMI')} deprecated from ${report.deprecated[0]?.at.toISOString().slice(0, 10) ?? ''} (${ids(report.deprecated.map((d) => d.imageId))})`,
    );
  if (report.undeprecated.length > 0)
    parts.push(
      text`deprecation cancelled for ${plural(report.undeprecated.length, 'AMI')} back in use (${ids(report.undeprecated)})`,
    );
  const failures = report.failed.map((f) => text`${code(f.imageId)}: ${f.error}`);
  if (parts.length === 0 && failures.length === 0) return undefined;
  const done = parts.length > 0 ? text`${icon('ok')} ${joinText(parts, '; ')}.` : undefined;
  if (failures.length === 0) return done;
  const failed = text`${icon('warning')} AMI protection could not be updated for ${joinText(failures, '; ')}. The apply itself is done; ${code('/ami images')} shows each AMI's protection.`;
  return done ? text`${done} ${failed}` : failed;
}

/**
 * The lifecycle's answer to "a change moved targets": protect the AMIs targets use now, release (and, when
 * configured, deprecate) the ones the change moved them off. Subscribed by bot.ts (rollout/ does not import it).
 */
export function createProtectAfterApply(deps: LifecycleDeps): ChangeAppliedListener {
  return {
    name: 'AMI deregistration protection',
    async run(change) {
      const report = await protectInUse(deps, {
        deployment: change.deployment,
        superseded: change.updates.map((update) => update.from).filter((from) => from !== ''),
      });
      deps.logger.info(
        {
          changeId: change._id,
          protected: report.protected,
          released: report.released,
          deprecated: report.deprecated.map((d) => d.imageId),
          undeprecated: report.undeprecated,
          failed: report.failed.length,
        },
        'AMI protection after apply',
      );
      const cooldown = deps.config.deployments.find((d) => d.name === change.deployment)?.retention.protectWithCooldown;
      return protectionReportText(report, cooldown ?? true);
    },
  };
}
