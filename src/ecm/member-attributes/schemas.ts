/**
 * Wire schemas of a member's DHCS reporting attributes: Populations of Focus (several) and homelessness, and the
 * DHCS value lists the console offers (src/ecm/reporting/dhcs-values.ts).
 */
import { Type, type Static, type TProperties } from 'typebox';
import { Nullable } from '../../platform/schema.ts';
import { POPULATION_OF_FOCUS_KEYS } from '../reporting/dhcs-values.ts';

export const PatientIdParams = Type.Object({ patient_id: Type.Integer({ description: 'Patient ID.' }) });

const PopulationKey = Type.Enum(POPULATION_OF_FOCUS_KEYS, { description: `A Population of Focus: ${POPULATION_OF_FOCUS_KEYS.join(', ')}.` });

export const MemberPopulation = Type.Object({
  key: PopulationKey,
  name: Type.String({ description: "DHCS's name of the Population of Focus." }),
  source: Type.Enum(['staff', 'mif'], { description: '`mif`: read from the plan\'s Member Information File; `staff`: set by the care team.' }),
});

export const MemberAttributes = Type.Object({
  patient_id: Type.Integer(),
  populations_of_focus: Type.Array(MemberPopulation, { description: 'In the order of the DHCS list.' }),
  homeless: Nullable(Type.Boolean({ description: 'Experiencing homelessness (RTF Member Homelessness Indicator); null: not known.' })),
  updated_at: Nullable(Type.String({ format: 'date-time', description: 'Last change of `homeless` (UTC).' })),
});
export type MemberAttributesWire = Static<typeof MemberAttributes>;
export const MemberAttributesEnvelope = Type.Object({ member_attributes: MemberAttributes });

export const MemberAttributesInput = Type.Object({
  populations_of_focus: Type.Optional(Type.Array(PopulationKey, { maxItems: POPULATION_OF_FOCUS_KEYS.length, description: 'The whole list (replaces the current one); omitted: unchanged.' })),
  homeless: Type.Optional(Nullable(Type.Boolean({ description: 'Omitted: unchanged; null: not known.' }))),
});
export type MemberAttributesInputWire = Static<typeof MemberAttributesInput>;
export const MemberAttributesBody = Type.Object({ member_attributes: MemberAttributesInput });

const Source = Type.Object({
  title: Type.String(), version: Type.String(), url: Type.String(), checked: Type.String({ format: 'date' }), note: Type.String(),
});
const Listed = <T extends TProperties>(item: T) => Type.Object({ source: Source, values: Type.Array(Type.Object(item)) });

export const DhcsValues = Type.Object({
  populations_of_focus: Listed({ key: Type.String(), name: Type.String(), dhcs_code: Nullable(Type.String({ description: 'Not found for any: null.' })) }),
  referral_statuses: Listed({ key: Type.String(), open: Type.Boolean(), dhcs_status: Nullable(Type.String({ description: 'The RTF Referral Status value, where DHCS confirms it.' })) }),
  loop_closure_reasons: Listed({ value: Type.String() }),
  discontinuation_reason_codes: Listed({ code: Type.String(), reason: Type.String() }),
  outreach_attempt_methods: Listed({ key: Type.String(), label: Type.String() }),
});
