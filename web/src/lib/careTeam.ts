/** The clinic's care team (names and roles), cached for the session: filters and assignment pickers. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

export function useCareTeam() {
  return useQuery({
    queryKey: ['care_team'],
    queryFn: () => unwrap(api.GET('/v1/clinic/ecm/care_team', { params: { query: { per_page: 100 } } })),
    staleTime: 5 * 60_000,
    select: (r) => r.care_team,
  });
}
