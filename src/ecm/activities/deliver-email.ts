/** Use case: the email job of an email activity. */
import type { JobMeta } from '../../platform/jobs.ts';
import type { EmailAttachment } from '../../platform/mail.ts';
import { fetchPublicFile } from '../../platform/outbound.ts';
import * as store from './store.ts';
import type { ActivityContext } from './context.ts';

/**
 * The email job: fetches the attachments through the outbound guard (the sandbox mailer records their URLs
 * instead), sends the mail, records the result on the activity and its event. Already sent or deleted: nothing to
 * do. On failure (an attachment that cannot be fetched, or the relay) records the error (`Attachment <url> <why>`
 * for an attachment), marks `failed` after the last retry, and rethrows so pg-boss retries with the email's backoff;
 * the mail is never sent without its attachments.
 */
export async function deliverActivityEmail(c: ActivityContext, organizationId: number, activityId: number, meta: JobMeta): Promise<void> {
  const { db, mail, mailer, clock, syncEvent } = c;
  const activity = await db.transaction((tx) => store.lockActivity(tx, organizationId, activityId));
  if (!activity || activity.deletedAt || activity.emailStatus === 'sent' || activity.activityType !== 'email') return;
  try {
    const attachments: EmailAttachment[] = [];
    if (mailer.fetchesAttachments) {
      for (const url of activity.emailAttachments) {
        try {
          attachments.push(await fetchPublicFile(url, {
            allowPrivate: mail.allowPrivateUrls, allowedHosts: mail.attachmentHosts, maxBytes: mail.attachmentMaxBytes, timeoutMs: mail.fetchTimeoutMs,
          }));
        } catch (err) {
          throw new Error(`Attachment ${url} ${(err as Error).message}`, { cause: err });
        }
      }
    }
    await mailer.send({
      organizationId,
      activityId,
      to: activity.emailTo!,
      subject: activity.subject ?? 'A message from your care team',
      text: activity.body ?? '',
      attachments,
      attachmentUrls: activity.emailAttachments,
    });
    await db.transaction(async (tx) => {
      const now = clock();
      const updated = await store.updateActivity(tx, activityId, {
        emailStatus: 'sent',
        emailSentAt: now,
        emailError: null,
        emailAttempts: activity.emailAttempts + 1,
        status: activity.status === 'created' ? 'complete' : activity.status,
      });
      await syncEvent(tx, updated);
    });
  } catch (err) {
    const final = meta.retryCount >= meta.retryLimit;
    await db.transaction(async (tx) => {
      const updated = await store.updateActivity(tx, activityId, {
        emailStatus: final ? 'failed' : 'queued',
        emailError: (err as Error).message.slice(0, 500),
        emailAttempts: activity.emailAttempts + 1,
      });
      await syncEvent(tx, updated);
    });
    throw err;
  }
}
