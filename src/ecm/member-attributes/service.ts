/**
 * A member's DHCS reporting attributes: Populations of Focus (several; RTF `Member POF Indicator` / `Member POF`)
 * and homelessness (RTF `Member Homelessness Indicator`), set by the care team or read from the plan's MIF.
 * Every read and change writes its audit row (entity `patient`) in the same transaction.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { isoOrNull } from '../../platform/time.ts';
import type { PatientService } from '../patients/service.ts';
import {
  CLR_LOOP_CLOSURE_REASONS_FOUND, DHCS_SOURCES, DISCONTINUATION_REASON_CODES, OUTREACH_ATTEMPT_METHODS, POPULATIONS_OF_FOCUS,
  REFERRAL_STATUSES, type PopulationOfFocusKey,
} from '../reporting/dhcs-values.ts';
import type { MemberAttributesInputWire, MemberAttributesWire } from './schemas.ts';
import * as store from './store.ts';

export interface MemberAttributeServiceDeps {
  db: Db;
  patients: Pick<PatientService, 'requirePatient'>;
}

const ORDER = new Map<string, number>(POPULATIONS_OF_FOCUS.map((p, i) => [p.key, i]));
const NAME = new Map<string, string>(POPULATIONS_OF_FOCUS.map((p) => [p.key, p.name]));

function wire(patientId: number, row: store.AttributeRow): MemberAttributesWire {
  return {
    patient_id: patientId,
    populations_of_focus: [...row.populations]
      .sort((a, b) => (ORDER.get(a.population) ?? 99) - (ORDER.get(b.population) ?? 99))
      .map((p) => ({ key: p.population as PopulationOfFocusKey, name: NAME.get(p.population) ?? p.population, source: p.source as 'staff' | 'mif' })),
    homeless: row.homeless,
    updated_at: isoOrNull(row.updatedAt),
  };
}

/** What a MIF row says about a member's attributes; undefined: the row leaves it as it is. */
export interface MifAttributes {
  patientId: number;
  populations?: PopulationOfFocusKey[];
  homeless?: boolean;
}

/** The DHCS value lists with their sources, for the console (`GET .../dhcs_values`). */
export function dhcsValues() {
  return {
    populations_of_focus: { source: DHCS_SOURCES.ecmPopulationsOfFocus, values: POPULATIONS_OF_FOCUS.map((p) => ({ key: p.key, name: p.name, dhcs_code: p.dhcsCode })) },
    referral_statuses: { source: DHCS_SOURCES.clrFaq, values: REFERRAL_STATUSES.map((s) => ({ key: s.key, open: s.open, dhcs_status: s.dhcsStatus })) },
    loop_closure_reasons: { source: DHCS_SOURCES.clrFaq, values: CLR_LOOP_CLOSURE_REASONS_FOUND.map((value) => ({ value })) },
    discontinuation_reason_codes: { source: DHCS_SOURCES.rtfDiscontinuation, values: DISCONTINUATION_REASON_CODES.map((c) => ({ ...c })) },
    outreach_attempt_methods: { source: DHCS_SOURCES.outreachDefinition, values: OUTREACH_ATTEMPT_METHODS.map((m) => ({ ...m })) },
  };
}

export function createMemberAttributeService({ db, patients }: MemberAttributeServiceDeps) {
  return {
    /**
     * `GET .../patients/{patient_id}/member_attributes`.
     * @throws NotFoundError `Patient not found` (also another clinic's member).
     */
    getAttributes(ctx: RequestContext, patientId: number): Promise<MemberAttributesWire> {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId);
        const row = await store.readAttributes(tx, orgId, patientId);
        await recordAudit(tx, ctx, { action: 'read', entityType: 'patient', entityIds: [patientId] });
        return wire(patientId, row);
      });
    },

    /**
     * `PUT .../patients/{patient_id}/member_attributes`: `populations_of_focus` replaces the whole list (staff's
     * list wins over the MIF's); `homeless` true, false or null (not known). Omitted fields stay as they are.
     * @throws NotFoundError `Patient not found`.
     */
    updateAttributes(ctx: RequestContext, patientId: number, input: MemberAttributesInputWire): Promise<MemberAttributesWire> {
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        await patients.requirePatient(tx, orgId, patientId, true);
        if (input.populations_of_focus) await store.replacePopulations(tx, orgId, patientId, [...new Set(input.populations_of_focus)], 'staff');
        if (input.homeless !== undefined) await store.setHomeless(tx, orgId, patientId, input.homeless);
        await recordAudit(tx, ctx, { action: 'update', entityType: 'patient', entityIds: [patientId] });
        return wire(patientId, await store.readAttributes(tx, orgId, patientId));
      });
    },

    /**
     * The MIF import's writes, in its transaction: a row's POF list replaces the member's MIF-sourced POFs (staff's
     * stay); its homelessness sets the attribute. The caller audits the import.
     */
    async setFromMif(tx: Executor, organizationId: number, rows: MifAttributes[]): Promise<void> {
      for (const r of rows) {
        if (r.populations) await store.replacePopulations(tx, organizationId, r.patientId, r.populations, 'mif');
        if (r.homeless !== undefined) await store.setHomeless(tx, organizationId, r.patientId, r.homeless);
      }
    },
  };
}

export type MemberAttributeService = ReturnType<typeof createMemberAttributeService>;
