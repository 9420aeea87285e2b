/**
 * Column helpers shared by the schema files: timestamps are `timestamptz` (UTC) with millisecond precision,
 * read as Date; `bytea` is read as a Buffer.
 */
import { customType, timestamp } from 'drizzle-orm/pg-core';

/** A `bytea` column read and written as a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
/** A `timestamptz(3)` column read as a Date. */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
/** `created_at`, set by the database on insert. */
export const createdAt = () => ts('created_at').notNull().defaultNow();
/** `updated_at`, set by the database on insert (services set it on update). */
export const updatedAt = () => ts('updated_at').notNull().defaultNow();
