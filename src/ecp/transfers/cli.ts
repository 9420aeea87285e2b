/**
 * `care ecp residents transfer <residentId> --to-location <locationId> [--json]`: the operator's transfer of a
 * resident to another company's location (`TransferService.transferResident`).
 */
import type { Command } from 'commander';
import { systemContext } from '../../platform/context.ts';
import type { RunWithServices } from '../cli.ts';
import type { TransferService } from './service.ts';

/** Adds `residents transfer` under the `ecp` command `ecp`. */
export function registerTransferCommands(ecp: Command, run: RunWithServices<{ transfers: TransferService }>): void {
  const residents = ecp.command('residents').description('ECP residents (operator actions)');
  residents
    .command('transfer <residentId>')
    .description("move a resident, with its contacts, vitals, allergies, diagnoses and assessments, to another company's location; "
      + 'the sending company gets resident.delete, the receiving one resident.create, with the same residentId')
    .requiredOption('--to-location <locationId>', "the receiving company's location GUID")
    .option('--json', 'print the result as JSON only')
    .action(async (residentId: string, o: { toLocation: string; json?: boolean }) => {
      await run(async (s) => {
        // The audit rows name the operator's command; each company gets its own row (see the service).
        const r = await s.transfers.transferResident(systemContext(0, 'care ecp residents transfer'), residentId, o.toLocation);
        process.stdout.write(o.json ? JSON.stringify(r) + '\n' : [
          `Resident ${r.residentId} moved from location ${r.fromLocationId} to ${r.toLocationId}:`,
          `  ${r.vitals} vital readings, ${r.allergies} allergies, ${r.diagnoses} diagnoses, ${r.assessments} assessments moved`,
          `  contacts moved: ${r.contacts.moved.length}; shared contacts copied: ${r.contacts.copied.map((c) => `${c.from} -> ${c.to}`).join(', ') || 'none'}`,
          `  ${r.withdrawnDeliveries} webhook deliveries of the sending company withdrawn`,
        ].join('\n') + '\n');
      });
    });
}
