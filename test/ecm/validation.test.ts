import { describe, expect, it } from 'vitest';
import { humanizeField, validationMessages } from '../../src/ecm/validation.ts';

describe('humanizeField', () => {
  it.each([
    ['acuity_level', 'Acuity level'],
    ['member_id', 'Member ID'],
    ['assigned_to_id', 'Assigned to'],
    ['message', 'Message'],
    ['date_of_birth', 'Date of birth'],
    ['firstName', 'First name'],
  ])('%s -> %s', (field, human) => expect(humanizeField(field)).toBe(human));
});

describe('validationMessages', () => {
  it.each([
    [{ instancePath: '', keyword: 'required', params: { missingProperty: 'message' } }, "Message can't be blank"],
    [{ instancePath: '/patient/ecm_eligibility_information/acuity_level', keyword: 'enum', params: {} }, 'Acuity level is not included in the list'],
    [{ instancePath: '/date_of_birth', keyword: 'format', params: { format: 'date' } }, 'Date of birth must be a valid date (YYYY-MM-DD)'],
    [{ instancePath: '/page', keyword: 'minimum', params: { limit: 1 } }, 'Page must be greater than or equal to 1'],
    [{ instancePath: '/name', keyword: 'minLength', params: { limit: 1 } }, "Name can't be blank"],
    [{ instancePath: '/name', keyword: 'maxLength', params: { limit: 15 } }, 'Name is too long (maximum is 15 characters)'],
    [{ instancePath: '/duration', keyword: 'type', params: { type: 'integer' } }, 'Duration must be a whole number'],
  ])('turns %j into one sentence', (err, sentence) => {
    expect(validationMessages([err])).toEqual([sentence]);
  });

  it('says one thing per field when a nullable union fails on every branch', () => {
    const errs = [
      { instancePath: '/phone', keyword: 'type', params: { type: 'string' } },
      { instancePath: '/phone', keyword: 'type', params: { type: 'null' } },
      { instancePath: '/phone', keyword: 'anyOf', params: {} },
    ];
    expect(validationMessages(errs)).toEqual(['Phone must be a string or null']);
  });

  it('prefers the specific error of a union branch over the type error of the other', () => {
    const errs = [
      { instancePath: '/dob', keyword: 'format', params: { format: 'date' } },
      { instancePath: '/dob', keyword: 'type', params: { type: 'null' } },
      { instancePath: '/dob', keyword: 'anyOf', params: {} },
    ];
    expect(validationMessages(errs)).toEqual(['Dob must be a valid date (YYYY-MM-DD)']);
  });

  it('reports every field at once, in order', () => {
    const errs = [
      { instancePath: '', keyword: 'required', params: { missingProperty: 'message' } },
      { instancePath: '', keyword: 'required', params: { missingProperty: 'assigned_to_id' } },
    ];
    expect(validationMessages(errs)).toEqual(["Message can't be blank", "Assigned to can't be blank"]);
  });

  it('names a body that is not an object', () => {
    expect(validationMessages([{ instancePath: '', keyword: 'type', params: { type: 'object' } }])).toEqual(['Request body must be a JSON object']);
  });
});
