/**
 * The DHCS value lists (src/ecm/reporting/dhcs-values.ts): every list names its source, nothing unconfirmed is
 * dressed up as a DHCS code, and the lookups used by the API and the MIF import agree with the lists.
 */
import { describe, expect, it } from 'vitest';
import {
  CLR_DATA_ELEMENTS, CLR_LOOP_CLOSURE_REASONS_FOUND, CLR_REFERRAL_STATUS_VALUES_FOUND, DHCS_SOURCES, DISCONTINUATION_REASON_CODES,
  isOpenReferralStatus, OUTREACH_ATTEMPT_METHODS, POPULATION_OF_FOCUS_KEYS, POPULATIONS_OF_FOCUS, populationOfFocusOf, REFERRAL_STATUSES,
} from '../../../src/ecm/reporting/dhcs-values.ts';

describe('DHCS value lists', () => {
  it('gives every source a title, a version, an https URL, the day it was read and what it confirms', () => {
    for (const [name, s] of Object.entries(DHCS_SOURCES)) {
      expect(s.title, name).not.toBe('');
      expect(s.version, name).not.toBe('');
      expect(s.url, name).toMatch(/^https:\/\//);
      expect(s.checked, name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(s.note.length, name).toBeGreaterThan(40);
    }
  });

  it('holds the nine Populations of Focus with unique keys and names, and no DHCS code that was not found', () => {
    expect(POPULATIONS_OF_FOCUS).toHaveLength(9);
    expect(new Set(POPULATION_OF_FOCUS_KEYS).size).toBe(9);
    expect(new Set(POPULATIONS_OF_FOCUS.map((p) => p.name)).size).toBe(9);
    for (const p of POPULATIONS_OF_FOCUS) expect(p.dhcsCode).toBeNull();
  });

  it.each([
    ['experiencing_homelessness', 'experiencing_homelessness'],
    ['Individuals and Families Experiencing Homelessness', 'experiencing_homelessness'],
    ['  adults and their families experiencing homelessness ', 'experiencing_homelessness'],
    ['High Utilizers', 'avoidable_hospital_ed_utilization'],
    ['Individuals with Serious Mental Health and/or SUD Needs', 'serious_mental_health_sud'],
    ['BIRTH EQUITY', 'birth_equity'],
    ['Adults with Long COVID', undefined],
    ['', undefined],
  ])('reads %j as %j', (text, key) => {
    expect(populationOfFocusOf(text)).toBe(key);
  });

  it('names each POF by its own name and every alias, and no alias of two', () => {
    const seen = new Map<string, string>();
    for (const p of POPULATIONS_OF_FOCUS) {
      for (const text of [p.key, p.name, ...p.aliases]) {
        expect(populationOfFocusOf(text), text).toBe(p.key);
        const prev = seen.get(text.toLowerCase());
        expect(prev === undefined || prev === p.key, text).toBe(true);
        seen.set(text.toLowerCase(), p.key);
      }
    }
  });

  it('keeps the CLR elements and only the values DHCS pages confirm', () => {
    expect(CLR_DATA_ELEMENTS).toEqual(['Referral Status', 'Date of Referral Status Update', 'Reason for Referral Loop Closure']);
    expect(CLR_REFERRAL_STATUS_VALUES_FOUND).toEqual(['Declined']);
    expect(CLR_LOOP_CLOSURE_REASONS_FOUND).toEqual(['Services Received']);
    const mapped = REFERRAL_STATUSES.map((s) => s.dhcsStatus).filter((v) => v !== null);
    for (const v of mapped) expect(CLR_REFERRAL_STATUS_VALUES_FOUND as readonly string[]).toContain(v);
  });

  it('treats received and accepted referrals as open, declined and closed ones as not', () => {
    expect(['received', 'accepted', 'declined', 'closed', 'other'].map(isOpenReferralStatus)).toEqual([true, true, false, false, false]);
  });

  it('holds no discontinuation reason code (the list was not found) and the five outreach methods of the definition', () => {
    expect(DISCONTINUATION_REASON_CODES).toEqual([]);
    expect(OUTREACH_ATTEMPT_METHODS.map((m) => m.label)).toEqual(['In-person', 'Email', 'Text', 'Phone call', 'Other electronic method']);
  });
});
