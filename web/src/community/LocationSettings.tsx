/**
 * Location settings (System Admins): each of the admin's locations with its IANA time zone. The zone is where the
 * workspace shows the location's times and where partner timestamps without an offset are read; empty follows the
 * company's zone. The browser's own list of zones is offered; the API validates the name.
 */
import { useState } from 'react';
import { Alert, Autocomplete, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { ErrorMessages, Loading } from '../components/QueryState';
import { useCommunitySession } from './session';

type Location = Ok<'/v1/community/locations', 'get'>['locations'][number];

const ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export function CommunityLocationSettingsPage() {
  const list = useQuery({ queryKey: ['community', 'locations'], queryFn: () => unwrap(communityApi.GET('/v1/community/locations')) });
  return (
    <Stack maw={760}>
      <Title order={2}>Location settings</Title>
      <Text size="sm" c="dimmed">The time zone of each location: the workspace shows the location's times in it, and partner timestamps without a UTC offset are read in it.</Text>
      {list.error ? <ErrorMessages error={list.error} /> : list.isPending ? <Loading label="Loading locations…" /> : (
        <Stack component="ul" aria-label="Locations" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {list.data.locations.map((l) => <LocationCard key={l.locationId} location={l} />)}
        </Stack>
      )}
    </Stack>
  );
}

function LocationCard({ location }: { location: Location }) {
  const qc = useQueryClient();
  const { refresh } = useCommunitySession();
  const [zone, setZone] = useState(location.timeZone ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => unwrap(communityApi.PUT('/v1/community/locations/{locationId}', { params: { path: { locationId: location.locationId } }, body: { timeZone: zone.trim() || null } })),
    onSuccess: async (r) => {
      setZone(r.location.timeZone ?? '');
      setSaved(`Saved: ${r.location.name} uses ${r.location.effectiveTimeZone}.`);
      void qc.invalidateQueries({ queryKey: ['community', 'locations'] });
      await refresh();
    },
  });
  return (
    <Card withBorder component="li" padding="md">
      <form onSubmit={(e) => { e.preventDefault(); setSaved(null); save.mutate(); }} aria-label={`Time zone of ${location.name}`}>
        <Stack gap="xs">
          <Text fw={600}>{location.name}</Text>
          <Text size="sm" c="dimmed">In use: {location.effectiveTimeZone}{location.timeZone ? '' : ' (the company\'s)'}</Text>
          <Group align="end" wrap="wrap">
            <Autocomplete label="Time zone" placeholder="The company's zone" data={ZONES} limit={20} value={zone} onChange={setZone} w={{ base: '100%', xs: 320 }} />
            <Button type="submit" loading={save.isPending}>Save</Button>
          </Group>
          {save.error && <ErrorMessages error={save.error} title="The time zone was not saved" />}
          {saved && <Alert color="teal" role="status">{saved}</Alert>}
        </Stack>
      </form>
    </Card>
  );
}
