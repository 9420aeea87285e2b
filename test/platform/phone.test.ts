import { describe, expect, it } from 'vitest';
import { toE164 } from '../../src/platform/phone.ts';

describe('toE164 (seed 004 "Phone Number Format")', () => {
  it.each([
    ['+18051234567', '+18051234567'],
    ['8051234567', '+18051234567'],
    ['805-123-4567', '+18051234567'],
    ['(805) 123-4567', '+18051234567'],
    ['1 805 123 4567', '+18051234567'],
    ['  +1 (213) 555-0142 ', '+12135550142'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%s -> %s', (input, e164) => expect(toE164(input)).toBe(e164));

  it.each(['', '123', 'call me', '555-CALL-NOW', '+1 805 123 45678 9'])('rejects %j', (input) => {
    expect(toE164(input)).toBeUndefined();
  });
});
