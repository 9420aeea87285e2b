/** Identifiers of the ECP partner API, shared by every ECP feature. */
import { randomUUID } from 'node:crypto';

/** A new upper-case GUID (ARCHITECTURE.md: "GUIDs are upper-case"). */
export function newGuid(): string {
  return randomUUID().toUpperCase();
}
