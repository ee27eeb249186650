import type { IntakeOutcome } from '../../machines/run.types.js';
import { loadPacket } from '../domain/loadPacket.js';
import type { Packet } from '../domain/packet.js';

/**
 * Intake: the packet file must still be sufficient and hash to what was
 * approved. Returns the outcome (for the chart) and the packet when usable.
 */
export async function checkIntake(packetFile: string, approvedHash: string): Promise<{ outcome: IntakeOutcome; packet: Packet | null }> {
  const loaded = await loadPacket(packetFile);
  if (loaded.packet === null || loaded.problems.length > 0 || loaded.hash === null) {
    return { outcome: { status: 'insufficient', problems: loaded.problems.map((p) => ({ path: p.path, message: p.message })) }, packet: null };
  }
  if (loaded.hash !== approvedHash) {
    return { outcome: { status: 'tampered', approvedHash, actualHash: loaded.hash }, packet: null };
  }
  return { outcome: { status: 'ok' }, packet: loaded.packet };
}
