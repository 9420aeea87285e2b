/** The Resident File's Allergies tab: the whole list, edited and saved at once (fires allergy.update with the list). */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, CloseButton, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { QueryState } from '../components/QueryState';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];

export function AllergiesTab({ resident }: { resident: Resident }) {
  const key = ['community', 'resident', resident.residentId, 'allergies'];
  const list = useQuery({
    queryKey: key,
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents/{residentId}/allergies', { params: { path: { residentId: resident.residentId } } })).then((r) => r.allergies),
  });
  return <QueryState query={list} loadingLabel="Loading allergies…">{(stored) => <AllergyEditor resident={resident} stored={stored} queryKey={key} />}</QueryState>;
}

function AllergyEditor({ resident, stored, queryKey }: { resident: Resident; stored: string[]; queryKey: string[] }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const [allergies, setAllergies] = useState(stored);
  const [draft, setDraft] = useState('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setAllergies(stored), [stored]);

  const save = useMutation({
    mutationFn: (next: string[]) => unwrap(communityApi.PUT('/v1/community/residents/{residentId}/allergies', { params: { path: { residentId: resident.residentId } }, body: { allergies: next } })),
    onSuccess: (r) => {
      setProblems(null);
      setSaved(true);
      qc.setQueryData(queryKey, r.allergies);
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The allergies were not saved']),
  });

  function add(e: FormEvent) {
    e.preventDefault();
    const a = draft.trim();
    if (!a) return;
    setSaved(false);
    if (!allergies.some((x) => x.toLowerCase() === a.toLowerCase())) setAllergies([...allergies, a]);
    setDraft('');
  }

  return (
    <Stack>
      {problems && <Alert color="red" role="alert" title="The allergies were not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
      {saved && <Alert color="teal" role="status">Allergies saved.</Alert>}
      {allergies.length === 0 ? <Text c="dimmed">No known allergies.</Text> : (
        <Stack gap="xs" component="ul" aria-label="Allergies" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {allergies.map((a) => (
            <Paper key={a} withBorder px="sm" py={4} component="li">
              <Group justify="space-between" wrap="nowrap">
                <Text>{a}</Text>
                <CloseButton size="lg" aria-label={`Remove ${a}`} disabled={discharged} onClick={() => { setSaved(false); setAllergies(allergies.filter((x) => x !== a)); }} />
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
      <form onSubmit={add} aria-label="Add an allergy">
        <Group align="end" gap="xs" wrap="wrap">
          <TextInput label="Allergy" maxLength={100} disabled={discharged} value={draft} onChange={(e) => setDraft(e.currentTarget.value)} style={{ flex: '1 1 200px' }} />
          <Button type="submit" variant="light" disabled={discharged}>Add</Button>
        </Group>
      </form>
      <Group><Button onClick={() => save.mutate(allergies)} loading={save.isPending} disabled={discharged}>Save allergies</Button></Group>
    </Stack>
  );
}
