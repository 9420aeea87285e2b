/**
 * SQL of transfer offers between ECP companies (`ecp_transfer_offers`, owned here). Reads `organizations` and
 * `ecp_companies` only for the other company's name and GUID shown beside an offer, and `ecp_locations` for the
 * locations' names.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecpTransferOffers } from '../../db/schema.ts';

export type TransferOfferRow = typeof ecpTransferOffers.$inferSelect;
export type NewTransferOfferRow = typeof ecpTransferOffers.$inferInsert;

/** An offer as the workspace lists it: the row with both companies' names and GUIDs and the locations' names. */
export interface TransferOfferView extends TransferOfferRow {
  fromCompanyName: string;
  fromCompanyGuid: string | null;
  toCompanyName: string;
  toCompanyGuid: string | null;
  fromLocationName: string;
  toLocationName: string | null;
  toLocationGuid: string | null;
}

/** The ECP company whose GUID is `guid` (any case); undefined when none. */
export async function companyByGuid(db: Executor, guid: string): Promise<{ organizationId: number; guid: string; name: string } | undefined> {
  const { rows } = await db.execute<{ organizationId: number; guid: string; name: string }>(sql`
    SELECT c.organization_id AS "organizationId", c.guid, o.name FROM ecp_companies c JOIN organizations o ON o.id = c.organization_id
    WHERE o.kind = 'ecp_company' AND c.guid = upper(${guid})`);
  return rows[0];
}

export async function insertOffer(tx: Executor, values: NewTransferOfferRow): Promise<TransferOfferRow> {
  const [row] = await tx.insert(ecpTransferOffers).values(values).returning();
  return row;
}

/** The open offer of resident `residentId` (`ecp_residents.id`), if any. */
export async function openOfferOf(tx: Executor, residentId: number): Promise<TransferOfferRow | undefined> {
  const [row] = await tx.select().from(ecpTransferOffers).where(and(eq(ecpTransferOffers.residentId, residentId), eq(ecpTransferOffers.status, 'offered')));
  return row;
}

/** The offer `guid` sent by or to company `organizationId`, locked for update; undefined when none. */
export async function lockOffer(tx: Executor, guid: string, organizationId: number): Promise<TransferOfferRow | undefined> {
  const [row] = await tx.select().from(ecpTransferOffers)
    .where(and(eq(ecpTransferOffers.guid, guid), sql`(${ecpTransferOffers.fromOrganizationId} = ${organizationId} OR ${ecpTransferOffers.toOrganizationId} = ${organizationId})`))
    .for('update');
  return row;
}

/** Records the decision on an offer. */
export async function decideOffer(tx: Executor, id: number, values: Pick<NewTransferOfferRow, 'status' | 'decidedByUserId' | 'decidedAt' | 'toLocationId'>): Promise<void> {
  await tx.update(ecpTransferOffers).set(values).where(eq(ecpTransferOffers.id, id));
}

/**
 * Offers sent (`direction: 'outgoing'`) or received (`'incoming'`) by company `organizationId`, newest first, at most
 * 200; `openOnly`: only those still `offered`; `guid`: only that one. Outgoing offers are limited to residents offered
 * from `fromLocationIds`.
 */
export async function listOffers(db: Executor, organizationId: number, direction: 'incoming' | 'outgoing', openOnly: boolean, fromLocationIds: number[], guid?: string): Promise<TransferOfferView[]> {
  const mine = direction === 'incoming'
    ? sql`t.to_organization_id = ${organizationId}`
    : sql`t.from_organization_id = ${organizationId} AND t.from_location_id = ANY(${sql.param(fromLocationIds)}::int[])`;
  const one = guid === undefined ? sql`` : sql`AND t.guid = ${guid}`;
  const { rows } = await db.execute<Record<string, unknown>>(sql`
    SELECT t.*, fo.name AS from_company_name, fc.guid AS from_company_guid, tor.name AS to_company_name, tc.guid AS to_company_guid,
      fl.name AS from_location_name, tl.name AS to_location_name, tl.guid AS to_location_guid
    FROM ecp_transfer_offers t
    JOIN organizations fo ON fo.id = t.from_organization_id LEFT JOIN ecp_companies fc ON fc.organization_id = t.from_organization_id
    JOIN organizations tor ON tor.id = t.to_organization_id LEFT JOIN ecp_companies tc ON tc.organization_id = t.to_organization_id
    JOIN ecp_locations fl ON fl.id = t.from_location_id LEFT JOIN ecp_locations tl ON tl.id = t.to_location_id
    WHERE ${mine} ${one} ${openOnly ? sql`AND t.status = 'offered'` : sql``}
    ORDER BY t.created_at DESC, t.id DESC LIMIT 200`);
  return rows.map((r) => ({
    id: r.id as number,
    guid: r.guid as string,
    residentId: r.resident_id as number,
    residentGuid: r.resident_guid as string,
    fromOrganizationId: r.from_organization_id as number,
    toOrganizationId: r.to_organization_id as number,
    residentName: r.resident_name as string,
    residentDateOfBirth: (r.resident_date_of_birth as string | null) ?? null,
    fromLocationId: r.from_location_id as number,
    note: (r.note as string | null) ?? null,
    status: r.status as string,
    offeredByUserId: r.offered_by_user_id as number,
    decidedByUserId: (r.decided_by_user_id as number | null) ?? null,
    toLocationId: (r.to_location_id as number | null) ?? null,
    decidedAt: r.decided_at ? new Date(r.decided_at as string) : null,
    createdAt: new Date(r.created_at as string),
    fromCompanyName: r.from_company_name as string,
    fromCompanyGuid: (r.from_company_guid as string | null) ?? null,
    toCompanyName: r.to_company_name as string,
    toCompanyGuid: (r.to_company_guid as string | null) ?? null,
    fromLocationName: r.from_location_name as string,
    toLocationName: (r.to_location_name as string | null) ?? null,
    toLocationGuid: (r.to_location_guid as string | null) ?? null,
  }));
}
