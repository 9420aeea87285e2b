/**
 * Wire schemas of the Resident File's Vitals tab (`/v1/community/.../vitals`): the seven vital signs of seed 000 with
 * the partner API's field names (`systolic`, `diastolic`, `pulse`, `respirations`, `temperature`, `weight`, `bloodOx`,
 * `bloodSugar`) and units (ARCHITECTURE.md, "Units of vital signs"); the ranges are checked by the vitals service,
 * whose sentences name the field.
 */
import { Type, type TSchema } from 'typebox';
import { InstantText, Nullable } from '../../platform/schema.ts';
import { VITALS } from '../vitals/definitions.ts';

const KINDS = VITALS.map((d) => d.path);

const valueFields: Record<string, TSchema> = {};
for (const d of VITALS) {
  for (const f of d.fields) {
    valueFields[f.name] = Type.Optional(Type.Number({
      description: `${d.label}${d.fields.length > 1 ? `, ${f.name}` : ''} in ${d.unit} (${d.symbol}); plausible ${f.min} to ${f.max}.`,
    }));
  }
}

/** The values of one or more vitals by field name (`systolic` and `diastolic` together). */
export const VitalValues = Type.Object(valueFields);

/** The values a nurse records at once; the field names of the partner API. */
export interface VitalValuesWire {
  systolic?: number;
  diastolic?: number;
  pulse?: number;
  respirations?: number;
  temperature?: number;
  weight?: number;
  bloodOx?: number;
  bloodSugar?: number;
}

/** `POST /v1/community/residents/{residentId}/vitals`. */
export const NewCommunityVitals = Type.Object({
  ...VitalValues.properties,
  timestamp: Type.Optional(InstantText({
    description: 'When the readings were taken (default now), ISO 8601; without an offset (2025-05-05T08:37) the wall time at the resident\'s location.',
  })),
}, { description: 'One or more of the seven vitals taken at one time: each value given is one reading; systolic and diastolic go together.' });
export type NewCommunityVitalsWire = VitalValuesWire & { timestamp?: string };

export const CommunityVital = Type.Object({
  vitalId: Type.String({ description: 'GUID of the reading (the FHIR Observation.id).' }),
  kind: Type.Enum(KINDS, { description: 'The partner API\'s path segment of the vital.' }),
  recordedAt: Type.String({ description: 'When it was taken, ISO 8601 UTC with milliseconds.' }),
  values: VitalValues,
  recordedBy: Type.Object({
    userId: Type.String({ description: 'GUID of the ECP user who recorded it (in the workspace, or named by a partner).' }),
    loginName: Type.String(),
    name: Type.String(),
  }),
});

export const CommunityVitalsRecorded = Type.Object({
  timeZone: Type.String({ description: 'IANA time zone of the resident\'s location: the workspace shows times there.' }),
  vitals: Type.Array(CommunityVital, { description: 'The readings recorded, one per vital.' }),
});

export const CommunityVitalQuery = Type.Object({
  from: Type.Optional(InstantText({ description: 'Readings taken at or after (ISO 8601; without an offset, the location\'s wall time; a date alone, the start of that day there). Default: no bound.' })),
  to: Type.Optional(InstantText({ description: 'Readings taken at or before (ISO 8601; without an offset, the location\'s wall time). Default: no bound.' })),
  kind: Type.Optional(Type.Enum(KINDS, { description: 'One vital only; default all seven.' })),
});

export const CommunityVitalList = Type.Object({
  timeZone: Type.String({ description: 'IANA time zone of the resident\'s location: the workspace shows times there.' }),
  from: Nullable(Type.String({ description: 'The `from` asked for as an instant (ISO 8601), or null.' })),
  to: Nullable(Type.String({ description: 'The `to` asked for as an instant (ISO 8601), or null.' })),
  vitals: Type.Array(CommunityVital, { description: 'Oldest first: the workspace\'s and partners\' readings alike.' }),
  truncated: Type.Boolean({ description: 'True when the range held more readings than the 2000 newest returned.' }),
});

export const CommunityVitalKinds = Type.Object({
  kinds: Type.Array(Type.Object({
    kind: Type.Enum(KINDS),
    label: Type.String(),
    unit: Type.String({ description: 'As printed beside a value: mmHg, /min, °F, lb, %, mg/dL.' }),
    unitName: Type.String({ description: 'The unit in words (degrees Fahrenheit).' }),
    fields: Type.Array(Type.Object({ name: Type.String(), min: Type.Number(), max: Type.Number() }), { description: 'The plausible range of each field (inclusive).' }),
  })),
});
