/**
 * The seven vital-sign endpoints of seed 000 ("POST/GET resident/vital/*"): each path's own reading fields, the
 * unit ARCHITECTURE.md pins ("Units of vital signs") and the plausible range a reading must fall in. Ranges are
 * wide enough for real readings of frail elderly residents and narrow enough to catch unit mix-ups (a
 * temperature in Celsius, a weight in kilograms under 40, blood oxygen over 100).
 */

export interface VitalField {
  /** The wire field name (`systolic`). */
  name: string;
  min: number;
  max: number;
}

export interface VitalDefinition {
  /** The path segment: `/clinical/v1/resident/vital/<path>`. */
  path: string;
  /** Human name for OpenAPI. */
  label: string;
  unit: string;
  /** The unit as the workspace prints it beside a value (`mmHg`, `°F`, `/min`). */
  symbol: string;
  /** One field, or two for blood pressure (stored as value, value2). */
  fields: [VitalField] | [VitalField, VitalField];
}

export const VITALS: VitalDefinition[] = [
  { path: 'blood-ox', label: 'Blood oxygen (SpO2)', unit: 'percent', symbol: '%', fields: [{ name: 'bloodOx', min: 50, max: 100 }] },
  {
    path: 'blood-pressure', label: 'Blood pressure', unit: 'mmHg', symbol: 'mmHg',
    fields: [{ name: 'systolic', min: 50, max: 300 }, { name: 'diastolic', min: 20, max: 200 }],
  },
  { path: 'blood-sugar', label: 'Blood sugar', unit: 'mg/dL', symbol: 'mg/dL', fields: [{ name: 'bloodSugar', min: 10, max: 1000 }] },
  { path: 'pulse', label: 'Pulse', unit: 'beats per minute', symbol: '/min', fields: [{ name: 'pulse', min: 20, max: 250 }] },
  { path: 'respirations', label: 'Respirations', unit: 'breaths per minute', symbol: '/min', fields: [{ name: 'respirations', min: 4, max: 60 }] },
  { path: 'temperature', label: 'Temperature', unit: 'degrees Fahrenheit', symbol: '°F', fields: [{ name: 'temperature', min: 85, max: 110 }] },
  { path: 'weight', label: 'Weight', unit: 'pounds', symbol: 'lb', fields: [{ name: 'weight', min: 40, max: 1000 }] },
];

/**
 * Range problems of a reading, one sentence each naming the field, the range and the unit.
 * `values` are in `def.fields` order.
 */
export function rangeProblems(def: VitalDefinition, values: number[]): string[] {
  const out: string[] = [];
  def.fields.forEach((f, i) => {
    const v = values[i];
    if (!Number.isFinite(v) || v < f.min || v > f.max) out.push(`${f.name} must be between ${f.min} and ${f.max} (${def.unit})`);
  });
  if (def.path === 'blood-pressure' && out.length === 0 && values[0] <= values[1]) out.push('systolic must be greater than diastolic');
  return out;
}
