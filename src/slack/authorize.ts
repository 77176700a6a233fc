import type { Config } from '../config.js';

export interface Caller {
  userId: string;
  channelId: string;
}

/** Admin commands only from admins in an ops channel; returns the refusal, or undefined. */
export function refuseCommand(config: Pick<Config, 'admins' | 'opsChannels'>, caller: Caller): string | undefined {
  if (!config.opsChannels.includes(caller.channelId)) {
    const channels = config.opsChannels.map((id) => `<#${id}>`).join(', ');
    return `:no_entry: ami-bot only takes commands in its ops channel(s): ${channels}. Nothing was done.`;
  }
  if (!config.admins.includes(caller.userId)) {
    return ':no_entry: Only ami-bot admins can run `/ami` commands (AMIBOT_ADMINS). Nothing was done; ask an admin.';
  }
  return undefined;
}

export function isAdmin(config: Pick<Config, 'admins'>, userId: string): boolean {
  return config.admins.includes(userId);
}
