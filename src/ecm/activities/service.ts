/**
 * ECM activities (seed 003): everything a care team does with or for a member.
 *
 * One transaction per change writes the activity, its event (events service),
 * the member's activity stats, the audit row and, for email, the delivery job
 * (pg-boss, enqueued in the same transaction). Email is sent by
 * `deliverActivityEmail` from that job, with retries; a failed delivery never
 * loses the activity (`email_status` says what happened).
 */
import { createActivityContext, type ActivityContext, type ActivityServiceDeps } from './context.ts';
import { getActivity, listClinicActivities, listPatientActivities } from './read-activities.ts';
import { createActivity, createActivityOnce } from './create-activity.ts';
import { updateActivity } from './update-activity.ts';
import { deleteActivity } from './delete-activity.ts';
import { addComment } from './add-comment.ts';
import { completeAnsweredInboundSms, recordCommunicationActivity, syncActivitiesOfRecord } from './communication-activities.ts';
import { deliverActivityEmail } from './deliver-email.ts';

export { ACTIVITY_NOT_FOUND, type ActivityMailSettings, type ActivityServiceDeps, type CommunicationRecordReader } from './context.ts';

/** `f` with its first argument, the context, bound. */
function bind<A extends unknown[], R>(f: (c: ActivityContext, ...args: A) => R, c: ActivityContext): (...args: A) => R {
  return (...args: A) => f(c, ...args);
}

/**
 * The activities service: each use case is a named function of its own file (`read-activities.ts`,
 * `create-activity.ts`, `update-activity.ts`, `delete-activity.ts`, `add-comment.ts`, `communication-activities.ts`,
 * `deliver-email.ts`), bound here to the shared context (`context.ts`).
 */
export function createActivityService(deps: ActivityServiceDeps) {
  const c = createActivityContext(deps);
  return {
    listPatientActivities: bind(listPatientActivities, c),
    listClinicActivities: bind(listClinicActivities, c),
    getActivity: bind(getActivity, c),
    createActivity: bind(createActivity, c),
    createActivityOnce: bind(createActivityOnce, c),
    updateActivity: bind(updateActivity, c),
    deleteActivity: bind(deleteActivity, c),
    addComment: bind(addComment, c),
    recordCommunicationActivity: bind(recordCommunicationActivity, c),
    syncActivitiesOfRecord: bind(syncActivitiesOfRecord, c),
    completeAnsweredInboundSms: bind(completeAnsweredInboundSms, c),
    deliverActivityEmail: bind(deliverActivityEmail, c),
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
