/**
 * The ECP-shared read model: SQL fragments over the residents', locations' and users' tables that several ECP stores
 * put in their own statements, so each clinical request stays one statement (or one join) instead of a call to another
 * feature per row. The rules these fragments stand for (how a request identifies its resident, which user it names,
 * the resident part of a clinical entry) are in `resident-key.ts`, `recording-user.ts` and `resident-entry.ts`; this
 * file is the only place they touch the schema. It imports no ECP feature.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ecpLocations, ecpResidents, ecpUsers } from '../../db/schema.ts';
import type { RecordingUserKey } from './recording-user.ts';
import type { ResidentKey } from './resident-key.ts';

/** Select columns of the resident part of a clinical GET entry (join `ecp_residents` and `ecp_locations`); `residentEntry` puts them on the wire. */
export const residentEntryColumns = {
  location: ecpLocations.name,
  firstName: ecpResidents.firstName,
  lastName: ecpResidents.lastName,
  dateOfBirth: ecpResidents.dateOfBirth,
  residentId: ecpResidents.guid,
  externalIds: ecpResidents.externalIds,
};

/**
 * The condition on `ecp_residents` of a key's mode, its values given by `value` (a placeholder of a statement built
 * once, or a parameter): the values are named as `residentKeyValues` (`resident-key.ts`) names them.
 */
export function residentKeySql(mode: ResidentKey['mode'], value: (name: string) => SQL): SQL {
  switch (mode) {
    case 'guid': return sql`${ecpResidents.guid} = ${value('resident_guid')}::text`;
    case 'external': return sql`${ecpResidents.externalIds} @> ${value('resident_external_id')}::jsonb`;
    case 'name': return sql`lower(${ecpResidents.firstName}) = lower(${value('resident_first_name')}::text)
      AND lower(${ecpResidents.lastName}) = lower(${value('resident_last_name')}::text) AND ${ecpResidents.dateOfBirth} = ${value('resident_date_of_birth')}::date`;
  }
}

/** The condition on `ecp_users` of a recording-user key's kind (company aside), its value given by `value` (a placeholder or a parameter). */
export function recordingUserSql(by: RecordingUserKey['by'], value: SQL): SQL {
  return by === 'guid' ? sql`${ecpUsers.guid} = ${value}::text` : sql`lower(${ecpUsers.loginName}) = lower(${value}::text)`;
}
