import type { Simulator } from '../sim/index.js';

/** The hardware tiers as an admin would tabulate them: id, AMI, AMI name (what the seed says to note down). */
export async function tierTable(sim: Pick<Simulator, 'dominoTiers' | 'ec2'>): Promise<string[]> {
  const tiers = await sim.dominoTiers.listTiers();
  const images = await sim.ec2.describeImages([...new Set(tiers.map((tier) => tier.executorImage))]);
  const names = new Map(images.map((image) => [image.id, image.name]));
  const rows = tiers.map((tier) => [tier.label, tier.executorImage, names.get(tier.executorImage) ?? '(unknown AMI)']);
  const header = ['tier', 'executorImage', 'AMI name'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`;
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}
