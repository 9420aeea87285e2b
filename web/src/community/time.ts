/**
 * Times in the community workspace are shown in the time zone of the location they belong to (issue 19; set on the
 * Location settings screen, else the company's), never the browser's: a night nurse in another state and the
 * community's own staff read the same clock. `/me` carries each allowed location's zone.
 */
import { useCallback } from 'react';
import { formatDateTime } from '../lib/format';
import { useCommunitySession } from './session';

/**
 * A formatter `(iso, location) => "Nov 20, 2024, 10:00 AM CST"`: `location` is a location's GUID or name among the
 * user's; unknown or absent, the user's first location's zone (their community's), else UTC. `null` gives "—".
 */
export function useLocationTime(): (iso: string | null | undefined, location?: string | null) => string {
  const { me } = useCommunitySession();
  return useCallback((iso, location) => {
    const locations = me?.user.locationsAllowed ?? [];
    const zone = locations.find((l) => l.locationId === location || l.name === location)?.timeZone ?? locations[0]?.timeZone ?? 'UTC';
    return formatDateTime(iso, zone);
  }, [me]);
}
