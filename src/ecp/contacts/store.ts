/** SQL of ECP contacts for standards-based reads (the FHIR door's RelatedPerson: one per contact-resident link). */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';

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
      c.first_name, c.last_name, c.relationship, c.phone, c.phone_cell, c.phone_work, c.email, c.address, c.city, c.state, c.zip,
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
