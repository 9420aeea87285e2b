// @vitest-environment jsdom
/**
 * The console's activity form: client-side validation in the API's own words
 * (src/ecm/activities/rules.ts), the payload each type sends, and the API's
 * messages shown when it still refuses.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MantineProvider } from '@mantine/core';
import { ActivityForm } from '../../web/src/components/ActivityForm';
import { ApiError } from '../../web/src/api/client';
import { activityFormErrors, activityPayload, emptyActivityForm } from '../../web/src/lib/validation';
import { smsSegments } from '../../web/src/lib/format';
import { activityErrors } from '../../src/ecm/activities/rules';
import { installBrowserShims } from './setup';

beforeAll(installBrowserShims);
afterEach(cleanup);

const people = [{ id: 7, name: 'Maria Lopez' }, { id: 8, name: 'James Carter' }];

function renderForm(onSubmit = vi.fn().mockResolvedValue({})) {
  render(<MantineProvider><ActivityForm people={people} defaultAssignee={7} onSubmit={onSubmit} /></MantineProvider>);
  return onSubmit;
}

describe('activityFormErrors', () => {
  const cases: Array<[string, Partial<ReturnType<typeof emptyActivityForm>>, Record<string, string>]> = [
    ['a task without a message', { activity_type: 'task' }, { message: "Message can't be blank" }],
    ['a note without a body', { activity_type: 'note' }, { body: "Body can't be blank" }],
    ['an email without an address or body', { activity_type: 'email' }, { email_to: "Email to can't be blank", body: "Body can't be blank" }],
    ['an email to a bad address', { activity_type: 'email', body: 'Hi', email_to: 'not-an-address' }, { email_to: 'Email to is not a valid email address' }],
    ['an appointment without a time', { activity_type: 'in_person_appointment' }, { booked_at: "Booked at can't be blank" }],
    ['a meeting without a time', { activity_type: 'meeting' }, { booked_at: "Booked at can't be blank" }],
    ['anything without an assignee', { activity_type: 'task', message: 'x', assigned_to_id: null }, { assigned_to_id: "Assigned to can't be blank" }],
    ['a complete task', { activity_type: 'task', message: 'Call back' }, {}],
    ['a logged call with outcome and duration', { activity_type: 'call', outcome: 'reached', duration: '10' }, {}],
  ];
  it.each(cases)('%s', (_name, fields, expected) => {
    expect(activityFormErrors({ ...emptyActivityForm('task', 7), ...fields })).toEqual(expected);
  });

  it('uses the same sentences as the API for the same drafts', () => {
    const drafts = [
      { activity_type: 'task' as const },
      { activity_type: 'note' as const },
      { activity_type: 'email' as const, body: 'Hi', email_to: 'nope' },
      { activity_type: 'meeting' as const },
    ];
    for (const d of drafts) {
      const client = Object.values(activityFormErrors({ ...emptyActivityForm(d.activity_type, 7), ...d }));
      const server = activityErrors({ activityType: d.activity_type, assignedToId: 7, body: 'body' in d ? d.body : null, emailTo: 'email_to' in d ? d.email_to : null }, { allowPrivate: false });
      expect(client.sort()).toEqual(server.sort());
    }
  });

  it('sends only the fields a type takes', () => {
    const payload = activityPayload({ ...emptyActivityForm('call', 7), outcome: 'reached', duration: '12', body: 'Reviewed meds', due_at: '2026-11-30T10:00', subject: 'Check-in' });
    expect(payload).toEqual({ activity_type: 'call', assigned_to_id: 7, subject: 'Check-in', body: 'Reviewed meds', outcome: 'reached', duration: 12, status: 'complete' });
  });
});

describe('ActivityForm', () => {
  it('refuses an empty task with the API message and sends nothing', async () => {
    const onSubmit = renderForm();
    await userEvent.click(screen.getByRole('button', { name: 'Log task' }));
    expect(await screen.findByText("Message can't be blank")).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends a valid task and clears the form', async () => {
    const onSubmit = renderForm();
    await userEvent.type(screen.getByRole('textbox', { name: 'Subject' }), 'Follow-up');
    await userEvent.type(screen.getByRole('textbox', { name: /^Message/ }), 'Schedule the follow-up appointment');
    await userEvent.click(screen.getByRole('button', { name: 'Log task' }));
    expect(onSubmit).toHaveBeenCalledWith({ activity_type: 'task', assigned_to_id: 7, subject: 'Follow-up', message: 'Schedule the follow-up appointment' });
    expect((screen.getByRole('textbox', { name: /^Message/ }) as HTMLTextAreaElement).value).toBe('');
  });

  it("shows the API's messages when it still refuses, keeping what was typed", async () => {
    renderForm(vi.fn().mockRejectedValue(new ApiError(422, ['Assigned to must be a user of the clinic'])));
    await userEvent.type(screen.getByRole('textbox', { name: /^Message/ }), 'Call back');
    await userEvent.click(screen.getByRole('button', { name: 'Log task' }));
    expect(await screen.findByText('Assigned to must be a user of the clinic')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('The activity was not saved');
    expect((screen.getByRole('textbox', { name: /^Message/ }) as HTMLTextAreaElement).value).toBe('Call back');
  });
});

describe('smsSegments', () => {
  it.each([
    ['', 0, 0],
    ['a'.repeat(160), 160, 1],
    ['a'.repeat(161), 161, 2],
    ['a'.repeat(306), 306, 2],
    ['a'.repeat(307), 307, 3],
    ['Hola 😀', 6, 1],
    ['😀'.repeat(71), 71, 2],
  ])('counts case %# as %i characters in %i segments', (text, length, segments) => {
    expect(smsSegments(text)).toMatchObject({ length, segments });
  });
});
