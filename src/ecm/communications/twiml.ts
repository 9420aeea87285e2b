/**
 * The TwiML this server answers Twilio with, built with the SDK's VoiceResponse
 * and MessagingResponse.
 */
import twilio from 'twilio';

const VOICE = { voice: 'Polly.Joanna' as const };

/** Empty `<Response/>` for inbound SMS (no auto-reply). */
export function emptyMessagingResponse(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

/** `<Response><Hangup/></Response>`. */
export function hangup(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.hangup();
  return r.toString();
}

/**
 * Outbound call answered by the member: bridge to the calling coordinator's phone, reporting the bridged
 * leg to `dialAction`; with no coordinator phone, tell the member the care team will call back.
 */
export function outboundBridge(o: { clinicName: string; coordinatorPhone: string | null; callerId: string; dialAction: string }): string {
  const r = new twilio.twiml.VoiceResponse();
  if (!o.coordinatorPhone) {
    r.say(VOICE, `Hello, this is your care team at ${o.clinicName}. We are sorry we could not connect you right now. Your care team will call you back soon. Goodbye.`);
    r.hangup();
    return r.toString();
  }
  r.say(VOICE, `Hello, this is your care team at ${o.clinicName}. Please hold while we connect you.`);
  r.dial({ action: o.dialAction, method: 'POST', callerId: o.callerId, timeout: 30 }).number(o.coordinatorPhone);
  return r.toString();
}

/** Inbound call from a member: ring the lead care manager, reporting to `dialAction`; else take a voicemail. */
export function inboundForward(o: { clinicName: string; managerPhone: string | null; dialAction: string }): string {
  const r = new twilio.twiml.VoiceResponse();
  if (!o.managerPhone) return voicemail(o.clinicName);
  r.dial({ action: o.dialAction, method: 'POST', timeout: 25 }).number(o.managerPhone);
  return r.toString();
}

/** Voicemail: a greeting and a recording of up to two minutes. */
export function voicemail(clinicName: string): string {
  const r = new twilio.twiml.VoiceResponse();
  r.say(VOICE, `You have reached your care team at ${clinicName}. Please leave a message after the tone and we will call you back.`);
  r.record({ maxLength: 120, playBeep: true });
  r.hangup();
  return r.toString();
}
