/**
 * The US Core 6.1.0 check of test/support/us-core.ts can fail: resources missing a required element, a required
 * slice, a fixed or pattern value, or with a choice type the profile does not allow, are reported; must-support
 * elements nobody populates are listed.
 */
import { describe, expect, it } from 'vitest';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { checkUsCore, profileChain, US_CORE_PROFILES, usCoreRequirements } from '../support/us-core.ts';

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const clone = <T>(r: T): T => structuredClone(r);

const heartRate: Observation = {
  resourceType: 'Observation', id: 'hr', meta: { profile: [`${US_CORE}us-core-heart-rate`] }, status: 'final',
  category: [{ coding: [{ system: CATEGORY, code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: 'Patient/p' }, effectiveDateTime: '2026-11-20T15:30:00.000Z',
  valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
};
const bloodPressure: Observation = {
  ...clone(heartRate), id: 'bp', meta: { profile: [`${US_CORE}us-core-blood-pressure`] }, valueQuantity: undefined,
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
  component: [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 128, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 82, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
  ],
};
const patient: Patient = {
  resourceType: 'Patient', id: 'p', meta: { profile: [`${US_CORE}us-core-patient`] },
  identifier: [{ system: 'urn:x', value: '1' }], name: [{ family: 'Lovelace', given: ['Ada'] }], gender: 'female', birthDate: '1935-12-10',
};
const issues = (r: Resource, profile = r.meta!.profile![0]) => checkUsCore([r], profile).issues;

describe('US Core 6.1.0 checks derived from the differentials', () => {
  it('walks the chain: heart rate, US Core vital signs, FHIR vitalsigns (down to, not including, base Observation)', () => {
    expect(profileChain(`${US_CORE}us-core-heart-rate`).map((s) => s.url)).toEqual([
      `${US_CORE}us-core-heart-rate`, `${US_CORE}us-core-vital-signs`, 'http://hl7.org/fhir/StructureDefinition/vitalsigns',
    ]);
    expect(profileChain(`${US_CORE}us-core-observation-lab`).map((s) => s.id)).toEqual(['us-core-observation-lab', 'us-core-observation-clinical-result']);
    expect(() => profileChain(`${US_CORE}us-core-nope`)).toThrow(/no constraint profile/);
    expect(US_CORE_PROFILES).toHaveLength(16);
    // Requirements from the base vitalsigns profile (effective[x] 1..1) and US Core's (the VSCat slice's fixed code).
    const reqs = usCoreRequirements(`${US_CORE}us-core-heart-rate`);
    expect(reqs.get('Observation.effective[x]')).toMatchObject({ min: 1, mustSupport: true, types: ['dateTime', 'Period'] });
    expect(reqs.get('Observation.category:VSCat.coding.code')).toMatchObject({ min: 1, fixed: ['vital-signs'] });
  });

  it('passes conforming resources', () => {
    expect(issues(heartRate)).toEqual([]);
    expect(issues(bloodPressure)).toEqual([]);
    expect(issues(patient)).toEqual([]);
  });

  it('reports a missing required element, within each repeat too', () => {
    const p = clone(patient);
    delete p.gender;
    p.identifier!.push({ value: 'no system' });
    expect(issues(p)).toEqual([
      'Patient/p Patient.identifier.system: 0 present, at least 1 required',
      'Patient/p Patient.gender: 0 present, at least 1 required',
    ]);
    const o = clone(heartRate);
    delete o.effectiveDateTime;
    expect(issues(o)).toEqual(['Observation/hr Observation.effective[x]: 0 present, at least 1 required']);
  });

  it('reports a wrong fixed unit code and a code that misses the profile\'s pattern', () => {
    const o = clone(heartRate);
    o.valueQuantity!.code = 'beats/min';
    o.code = { coding: [{ system: 'http://loinc.org', code: '8889-8' }] };
    expect(issues(o)).toEqual([
      'Observation/hr Observation.code: {"coding":[{"system":"http://loinc.org","code":"8889-8"}]} does not match the pattern {"coding":[{"system":"http://loinc.org","code":"8867-4"}]}',
      'Observation/hr Observation.valueQuantity.code: "beats/min" is not the fixed "/min"',
    ]);
  });

  it('reports a unit outside the required value set (body weight: kg, g or [lb_av])', () => {
    const weight = { ...clone(heartRate), id: 'w', meta: { profile: [`${US_CORE}us-core-body-weight`] }, code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] } };
    weight.valueQuantity = { value: 141.5, unit: 'lb', system: 'http://unitsofmeasure.org', code: '[lb_av]' };
    expect(issues(weight)).toEqual([]);
    weight.valueQuantity.code = 'lb';
    expect(issues(weight)).toEqual(['Observation/w Observation.valueQuantity.code: "lb" is not in the required value set http://hl7.org/fhir/ValueSet/ucum-bodyweight']);
  });

  it('reports a required slice no repeat matches: no vital-signs category, no diastolic component', () => {
    const o = clone(bloodPressure);
    o.category = [{ coding: [{ system: CATEGORY, code: 'laboratory' }] }];
    o.component = [o.component![0], { ...o.component![1], code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] } }];
    expect(issues(o)).toEqual([
      'Observation/bp Observation.category:VSCat: 0 present, at least 1 required',
      'Observation/bp Observation.component:systolic: 2 present, at most 1 allowed',
      'Observation/bp Observation.component:diastolic: 0 present, at least 1 required',
    ]);
    const lab = { ...clone(heartRate), meta: { profile: [`${US_CORE}us-core-observation-lab`] } };
    expect(issues(lab)).toEqual(['Observation/hr Observation.category:us-core: 0 present, at least 1 required']);
  });

  it('reports a choice type the profile does not allow and a resource not declaring the profile', () => {
    const o = clone(heartRate) as Observation & Record<string, unknown>;
    delete o.effectiveDateTime;
    o.effectiveInstant = '2026-11-20T15:30:00.000Z';
    expect(issues(o)).toEqual(['Observation/hr Observation.effective[x]: type Instant is not one of dateTime, Period']);
    expect(issues(heartRate, `${US_CORE}us-core-body-weight`)).toContain(`Observation/hr: meta.profile does not declare ${US_CORE}us-core-body-weight`);
  });

  it('lists the must-support elements no resource populates, the topmost only', () => {
    const { unpopulatedMustSupport } = checkUsCore([patient], `${US_CORE}us-core-patient`);
    expect(unpopulatedMustSupport).toEqual(['Patient.telecom.system', 'Patient.telecom.value', 'Patient.telecom.use', 'Patient.address', 'Patient.communication.language']);
  });
});
