/**
 * SQL of ECP resident contacts: the contact (the person and how to reach them) and its links to residents
 * (`ecp_contact_residents`: per resident, the relationship, notes and flags). Every read is bounded by the company
 * (`organizationId`) or by the locations a client reaches; every write runs in the caller's transaction.
 */
import { and, asc, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpContactResidents, ecpContacts, ecpResidents } from '../../db/schema.ts';

export type ContactRow = typeof ecpContacts.$inferSelect;
export type NewContactRow = typeof ecpContacts.$inferInsert;
export type ContactLinkRow = typeof ecpContactResidents.$inferSelect;
export type ResidentRow = typeof ecpResidents.$inferSelect;

/** A contact's link to one resident, with the resident's row. */
export interface ContactResident {
  resident: ResidentRow;
  link: ContactLinkRow;
}

/** The per-resident fields of a link (seed 000 contact object, `residents` entries). */
export const LINK_FIELDS = [
  'relationship', 'notes', 'billingContact', 'healthCarePoa', 'healthCarePoaActivated', 'primaryContact', 'providesProducts', 'stateAppointedGuardian',
] as const satisfies ReadonlyArray<keyof ContactLinkRow>;
export type LinkValues = Partial<Pick<ContactLinkRow, (typeof LINK_FIELDS)[number]>>;

/** The residents a contact is linked to, oldest link first (the webhook contact object's `residents`). */
export async function linksOf(tx: Executor, contactId: number): Promise<ContactResident[]> {
  return tx.select({ resident: ecpResidents, link: ecpContactResidents }).from(ecpContactResidents)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpContactResidents.residentId))
    .where(eq(ecpContactResidents.contactId, contactId))
    .orderBy(asc(ecpContactResidents.createdAt), asc(ecpContactResidents.residentId));
}

/** The live contacts linked to the resident `residentId` (row id), oldest first. */
export async function contactsOfResident(tx: Executor, residentId: number): Promise<ContactRow[]> {
  return tx.select({ c: ecpContacts }).from(ecpContacts)
    .innerJoin(ecpContactResidents, eq(ecpContactResidents.contactId, ecpContacts.id))
    .where(and(eq(ecpContactResidents.residentId, residentId), isNull(ecpContacts.deletedAt)))
    .orderBy(asc(ecpContacts.id)).for('update', { of: ecpContacts })
    .then((rows) => rows.map((r) => r.c));
}

/** Another live contact of one of `residentIds` named `firstName lastName` (case-insensitive), but `except`. */
export async function contactWithName(tx: Executor, residentIds: number[], firstName: string, lastName: string, except?: number): Promise<{ guid: string } | undefined> {
  if (!residentIds.length) return undefined;
  const [existing] = await tx
    .select({ guid: ecpContacts.guid })
    .from(ecpContacts)
    .innerJoin(ecpContactResidents, eq(ecpContactResidents.contactId, ecpContacts.id))
    .where(and(
      inArray(ecpContactResidents.residentId, residentIds),
      isNull(ecpContacts.deletedAt),
      except === undefined ? undefined : ne(ecpContacts.id, except),
      sql`lower(${ecpContacts.firstName}) = lower(${firstName})`,
      sql`lower(${ecpContacts.lastName}) = lower(${lastName})`,
    ))
    .limit(1);
  return existing;
}

/**
 * The live contact `guid` (upper case) of the company `organizationId` linked to at least one resident at
 * `locationIds`, locked for update. @returns undefined when there is none (or `locationIds` is empty).
 */
export async function lockReachableContact(tx: Executor, guid: string, organizationId: number, locationIds: number[]): Promise<ContactRow | undefined> {
  if (!locationIds.length) return undefined;
  const [row] = await tx.select().from(ecpContacts).where(and(
    eq(ecpContacts.guid, guid),
    eq(ecpContacts.organizationId, organizationId),
    isNull(ecpContacts.deletedAt),
    sql`EXISTS (SELECT 1 FROM ${ecpContactResidents} l JOIN ${ecpResidents} r ON r.id = l.resident_id
      WHERE l.contact_id = ${ecpContacts.id} AND r.location_id IN ${locationIds})`,
  )).for('update');
  return row;
}

/** Inserts a contact. @returns the stored row. */
export async function insertContact(tx: Executor, values: NewContactRow): Promise<ContactRow> {
  const [row] = await tx.insert(ecpContacts).values(values).returning();
  return row;
}

/** Links the contact to a resident with its per-resident values. */
export async function insertLink(tx: Executor, contactId: number, residentId: number, values: LinkValues): Promise<void> {
  await tx.insert(ecpContactResidents).values({ ...values, contactId, residentId });
}

/** Writes `values` (and `updated_at`) to the contact `id`. @returns the row after the change. */
export async function saveContact(tx: Executor, id: number, values: Partial<NewContactRow>, now: Date): Promise<ContactRow> {
  const [row] = await tx.update(ecpContacts).set({ ...values, updatedAt: now }).where(eq(ecpContacts.id, id)).returning();
  return row;
}

/** Writes `values` to the link of the contact `contactId` and the resident `residentId` (row ids). */
export async function saveLink(tx: Executor, contactId: number, residentId: number, values: LinkValues): Promise<void> {
  if (!Object.keys(values).length) return;
  await tx.update(ecpContactResidents).set(values)
    .where(and(eq(ecpContactResidents.contactId, contactId), eq(ecpContactResidents.residentId, residentId)));
}

/** Removes the links of the contact `contactId` to the residents `residentIds` (row ids). */
export async function deleteLinks(tx: Executor, contactId: number, residentIds: number[]): Promise<void> {
  if (!residentIds.length) return;
  await tx.delete(ecpContactResidents).where(and(eq(ecpContactResidents.contactId, contactId), inArray(ecpContactResidents.residentId, residentIds)));
}

/** Marks the contact `id` deleted (its row stays as the last state). @returns the row. */
export async function softDeleteContact(tx: Executor, id: number, now: Date): Promise<ContactRow> {
  const [row] = await tx.update(ecpContacts).set({ deletedAt: now }).where(eq(ecpContacts.id, id)).returning();
  return row;
}

// ---- the FHIR door's RelatedPerson: one per contact-resident link

/** A search of contact-resident links, always within `locationIds` (the resident's location). */
export interface ContactLinkSearchFilter {
  locationIds: number[];
  /** Upper-case link ids (`linkId`). */
  linkIds?: string[];
  /** Upper-case resident GUIDs. */
  residentGuids?: string[];
  /** Case-insensitive start of the contact's first or last name. */
  name?: string;
  /** Keyset: the (contact row id, resident row id) the page continues after. */
  after?: [number, number];
  limit: number;
}

/** One link of a live (not deleted) contact to a resident, with the contact's fields. */
export interface FoundContactLink {
  contactId: number;
  residentId: number;
  /** A stable id of the link: the MD5 of `<contactGuid>/<residentGuid>` as an upper-case UUID. */
  linkId: string;
  contactGuid: string;
  residentGuid: string;
  firstName: string;
  lastName: string;
  relationship: string | null;
  phone: string | null;
  phoneCell: string | null;
  phoneWork: string | null;
  email: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  updatedAt: Date;
}

const LINK_ID = sql`upper(md5(c.guid || '/' || r.guid)::uuid::text)`;

/** The links `f` selects, by contact then resident row id after `f.after` (keyset paging), at most `f.limit`. */
export async function searchContactLinks(db: Executor, f: ContactLinkSearchFilter): Promise<FoundContactLink[]> {
  if (!f.locationIds.length || f.linkIds?.length === 0 || f.residentGuids?.length === 0) return [];
  const where: SQL[] = [sql`r.location_id = ANY(${sql.param(f.locationIds)}::int[])`, sql`c.deleted_at IS NULL`];
  if (f.linkIds) where.push(sql`${LINK_ID} = ANY(${sql.param(f.linkIds)}::text[])`);
  if (f.residentGuids) where.push(sql`r.guid = ANY(${sql.param(f.residentGuids)}::text[])`);
  if (f.name) {
    const p = `${f.name.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    where.push(sql`(lower(c.first_name) LIKE ${p} OR lower(c.last_name) LIKE ${p})`);
  }
  if (f.after) where.push(sql`(c.id, r.id) > (${f.after[0]}::int, ${f.after[1]}::int)`);
  const result = await db.execute<Record<string, string | null>>(sql`
    SELECT c.id AS contact_id, r.id AS resident_id, ${LINK_ID} AS link_id, c.guid AS contact_guid, r.guid AS resident_guid,
      c.first_name, c.last_name, cr.relationship, c.phone, c.phone_cell, c.phone_work, c.email, c.address, c.city, c.state, c.zip,
      to_json(c.updated_at) #>> '{}' AS updated_at
    FROM ecp_contact_residents cr JOIN ecp_contacts c ON c.id = cr.contact_id JOIN ecp_residents r ON r.id = cr.resident_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY c.id, r.id LIMIT ${f.limit}`);
  return result.rows.map((x) => ({
    contactId: Number(x.contact_id), residentId: Number(x.resident_id), linkId: x.link_id!, contactGuid: x.contact_guid!, residentGuid: x.resident_guid!,
    firstName: x.first_name!, lastName: x.last_name!, relationship: x.relationship, phone: x.phone, phoneCell: x.phone_cell, phoneWork: x.phone_work,
    email: x.email, address: x.address, city: x.city, state: x.state, zip: x.zip, updatedAt: new Date(x.updated_at!),
  }));
}

/** How many contacts company `organizationId` has (deleted ones too). */
export async function countContacts(db: Executor, organizationId: number): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(ecpContacts).where(eq(ecpContacts.organizationId, organizationId));
  return count;
}

// ---- the community workspace's Contacts tab

/** A contact's link to a resident, seen from the contact: the resident's GUID, names and location (row id). */
export interface LinkedResident {
  contactId: number;
  residentGuid: string;
  firstName: string;
  lastName: string;
  locationId: number;
  relationship: string | null;
}

/** The live contacts linked to the resident `residentId` (row id), each with that link's values, by last then first name. */
export async function contactLinksOfResident(db: Executor, residentId: number): Promise<Array<{ contact: ContactRow; link: ContactLinkRow }>> {
  return db.select({ contact: ecpContacts, link: ecpContactResidents }).from(ecpContactResidents)
    .innerJoin(ecpContacts, eq(ecpContacts.id, ecpContactResidents.contactId))
    .where(and(eq(ecpContactResidents.residentId, residentId), isNull(ecpContacts.deletedAt)))
    .orderBy(asc(ecpContacts.lastName), asc(ecpContacts.firstName), asc(ecpContacts.id));
}

/** Every resident linked to the contacts `contactIds` (row ids), oldest link first. */
export async function residentsOfContacts(db: Executor, contactIds: number[]): Promise<LinkedResident[]> {
  if (!contactIds.length) return [];
  return db.select({
    contactId: ecpContactResidents.contactId, residentGuid: ecpResidents.guid, firstName: ecpResidents.firstName, lastName: ecpResidents.lastName,
    locationId: ecpResidents.locationId, relationship: ecpContactResidents.relationship,
  }).from(ecpContactResidents)
    .innerJoin(ecpResidents, eq(ecpResidents.id, ecpContactResidents.residentId))
    .where(inArray(ecpContactResidents.contactId, contactIds))
    .orderBy(asc(ecpContactResidents.createdAt), asc(ecpContactResidents.residentId));
}

/**
 * Up to `limit` live contacts of company `organizationId` linked to a resident at one of `locationIds` whose first
 * name, last name or "first last" starts with `name` (case-insensitive), by last then first name.
 */
export async function contactsByName(db: Executor, organizationId: number, locationIds: number[], name: string, limit: number): Promise<ContactRow[]> {
  if (!locationIds.length) return [];
  const p = `${name.trim().toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return db.select().from(ecpContacts).where(and(
    eq(ecpContacts.organizationId, organizationId),
    isNull(ecpContacts.deletedAt),
    sql`(lower(${ecpContacts.firstName}) LIKE ${p} OR lower(${ecpContacts.lastName}) LIKE ${p} OR lower(${ecpContacts.firstName} || ' ' || ${ecpContacts.lastName}) LIKE ${p})`,
    sql`EXISTS (SELECT 1 FROM ${ecpContactResidents} l JOIN ${ecpResidents} r ON r.id = l.resident_id
      WHERE l.contact_id = ${ecpContacts.id} AND r.location_id = ANY(${sql.param(locationIds)}::int[]))`,
  )).orderBy(asc(ecpContacts.lastName), asc(ecpContacts.firstName), asc(ecpContacts.id)).limit(limit);
}
