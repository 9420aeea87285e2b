import { describe, expect, it } from 'vitest';
import { prtfCategory, type PrtfInputs } from '../../src/ecm/events/prtf.ts';

const cases: Array<[string, PrtfInputs, string | null]> = [
  ['cancelled anything', { eventType: 'call', status: 'cancelled', outcome: 'reached' }, null],
  ['task, complete', { eventType: 'task', status: 'complete' }, null],
  ['sms queued', { eventType: 'sms', status: 'created', deliveryStatus: 'queued', direction: 'outbound' }, null],
  ['sms sent', { eventType: 'sms', status: 'complete', deliveryStatus: 'sent', direction: 'outbound' }, 'telehealth_outreach'],
  ['sms delivered', { eventType: 'sms', status: 'complete', deliveryStatus: 'delivered', direction: 'outbound' }, 'telehealth_outreach'],
  ['sms failed', { eventType: 'sms', status: 'complete', deliveryStatus: 'failed', direction: 'outbound' }, null],
  ['sms undelivered', { eventType: 'sms', status: 'complete', deliveryStatus: 'undelivered', direction: 'outbound' }, null],
  ['sms unknown (timeout)', { eventType: 'sms', status: 'created', deliveryStatus: 'unknown', direction: 'outbound' }, null],
  ['sms received from the member', { eventType: 'sms', status: 'complete', deliveryStatus: 'received', direction: 'inbound' }, null],
  // The activity status does not change an SMS's category: an inbound SMS is open work (`created`) until answered.
  ['sms received, open work', { eventType: 'sms', status: 'created', deliveryStatus: 'received', direction: 'inbound' }, null],
  ['sms sent, activity reopened', { eventType: 'sms', status: 'created', deliveryStatus: 'delivered', direction: 'outbound' }, 'telehealth_outreach'],
  ['email queued', { eventType: 'email', status: 'created', deliveryStatus: 'queued' }, null],
  ['email sent', { eventType: 'email', status: 'complete', deliveryStatus: 'sent' }, 'telehealth_outreach'],
  ['email failed', { eventType: 'email', status: 'created', deliveryStatus: 'failed' }, null],
  ['call reached (outcome)', { eventType: 'call', status: 'complete', outcome: 'reached' }, 'telehealth_encounter'],
  ['call bridged leg completed', { eventType: 'call', status: 'complete', callStatus: 'completed', memberReached: true, direction: 'outbound' }, 'telehealth_encounter'],
  ['call to voicemail', { eventType: 'call', status: 'complete', callStatus: 'completed', memberReached: false, direction: 'outbound' }, 'telehealth_outreach'],
  ['call no answer', { eventType: 'call', status: 'complete', callStatus: 'no-answer', direction: 'outbound' }, 'telehealth_outreach'],
  ['call busy', { eventType: 'call', status: 'complete', callStatus: 'busy', direction: 'outbound' }, 'telehealth_outreach'],
  ['call failed', { eventType: 'call', status: 'complete', callStatus: 'failed', direction: 'outbound' }, null],
  ['call logged by hand, not reached', { eventType: 'call', status: 'complete', outcome: 'not_reached' }, 'telehealth_outreach'],
  ['call: explicit not_reached beats a completed leg', { eventType: 'call', status: 'complete', outcome: 'not_reached', memberReached: true }, 'telehealth_outreach'],
  ['inbound call answered', { eventType: 'call', status: 'complete', direction: 'inbound', memberReached: true }, 'telehealth_encounter'],
  ['inbound call missed', { eventType: 'call', status: 'complete', direction: 'inbound', callStatus: 'no-answer' }, null],
  ['appointment scheduled', { eventType: 'appointment', status: 'created' }, null],
  ['appointment held in person', { eventType: 'appointment', status: 'complete' }, 'in_person_encounter'],
  ['appointment held in person (explicit)', { eventType: 'appointment', status: 'complete', modality: 'in_person', outcome: 'reached' }, 'in_person_encounter'],
  ['appointment by video', { eventType: 'appointment', status: 'complete', modality: 'video' }, 'telehealth_encounter'],
  ['appointment by phone', { eventType: 'appointment', status: 'complete', modality: 'phone' }, 'telehealth_encounter'],
  ['appointment no-show', { eventType: 'appointment', status: 'complete', outcome: 'no_show' }, 'in_person_outreach'],
  ['video appointment not reached', { eventType: 'appointment', status: 'complete', modality: 'video', outcome: 'not_reached' }, 'telehealth_outreach'],
  ['meeting held', { eventType: 'meeting', status: 'complete' }, 'in_person_encounter'],
  ['meeting scheduled', { eventType: 'meeting', status: 'created', modality: 'video' }, null],
  ['meeting no-show by phone', { eventType: 'meeting', status: 'complete', modality: 'phone', outcome: 'no_show' }, 'telehealth_outreach'],
];

describe('prtfCategory', () => {
  it.each(cases)('%s', (_name, inputs, expected) => {
    expect(prtfCategory(inputs)).toBe(expected);
  });
});
