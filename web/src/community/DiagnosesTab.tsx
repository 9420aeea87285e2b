/**
 * The Resident File's Diagnoses tab: the resident's diagnoses, newest first, times in the location's time zone; Add
 * with an ICD-10-CM picker (type-ahead against the loaded code set: a code prefix or words of the description, each
 * option its code and description); the API rejects a category header or an unknown code with the codes service's
 * sentence, shown as is. Remove asks first.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Autocomplete, Badge, Button, Group, Modal, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { formatDateTime } from '../lib/format';
import { Empty, ErrorMessages, QueryState } from '../components/QueryState';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
type Listed = Ok<'/v1/community/residents/{residentId}/diagnoses', 'get'>;
type Diagnosis = Listed['diagnoses'][number];

/** The option text of a code: "E11.9 Type 2 diabetes mellitus without complications". */
const optionOf = (c: { code: string; description: string; billable: boolean }) => `${c.code} ${c.description}${c.billable ? '' : ' (category, not billable)'}`;

export function DiagnosesTab({ resident }: { resident: Resident }) {
  const key = ['community', 'resident', resident.residentId, 'diagnoses'];
  const list = useQuery({
    queryKey: key,
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents/{residentId}/diagnoses', { params: { path: { residentId: resident.residentId } } })),
  });
  return <QueryState query={list} loadingLabel="Loading diagnoses…">{(data) => <Diagnoses resident={resident} data={data} queryKey={key} />}</QueryState>;
}

function Diagnoses({ resident, data, queryKey }: { resident: Resident; data: Listed; queryKey: string[] }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const [confirm, setConfirm] = useState<Diagnosis | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const remove = useMutation({
    mutationFn: (d: Diagnosis) => unwrap(communityApi.DELETE('/v1/community/residents/{residentId}/diagnoses/{diagnosisId}', { params: { path: { residentId: resident.residentId, diagnosisId: d.diagnosisId } } })),
    onSuccess: (_r, d) => {
      setConfirm(null);
      setNotice(`${d.code ?? d.description} was removed.`);
      void qc.invalidateQueries({ queryKey });
    },
  });

  return (
    <Stack>
      {notice && <Alert color="teal" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>{notice}</Alert>}
      <AddDiagnosis resident={resident} disabled={discharged} onAdded={(d) => { setNotice(`${d.code} ${d.description ?? ''} was added.`); void qc.invalidateQueries({ queryKey }); }} onStart={() => setNotice(null)} />
      {data.diagnoses.length === 0 ? <Empty>No diagnoses recorded.</Empty> : (
        <Stack gap="xs" component="ul" aria-label="Diagnoses" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {data.diagnoses.map((d) => (
            <Paper key={d.diagnosisId} withBorder p="sm" component="li">
              <Group justify="space-between" align="start" wrap="wrap" gap="xs">
                <Stack gap={2} style={{ minWidth: 0, flex: '1 1 220px' }}>
                  <Group gap="xs" wrap="wrap">
                    {d.code && <Badge variant="light" style={{ flexShrink: 0 }}>{d.code}</Badge>}
                    <Text fw={600} style={{ overflowWrap: 'anywhere' }}>{d.description ?? '—'}</Text>
                  </Group>
                  {d.comment && <Text size="sm">{d.comment}</Text>}
                  <Text size="sm" c="dimmed">{formatDateTime(d.timestamp, data.timeZone)} · {d.recordedBy.firstName} {d.recordedBy.lastName}</Text>
                </Stack>
                <Button size="sm" variant="subtle" color="red" disabled={discharged} onClick={() => { remove.reset(); setConfirm(d); }} aria-label={`Remove ${d.code ?? d.description}`}>Remove</Button>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
      <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={confirm !== null} onClose={() => setConfirm(null)} title={confirm ? `Remove ${confirm.code ?? 'this diagnosis'}?` : ''}>
        {confirm && (
          <Stack>
            <Text size="sm">{confirm.description} is removed from {resident.firstName} {resident.lastName}'s diagnoses (as entered in error).</Text>
            {remove.error && <ErrorMessages error={remove.error} title="The diagnosis was not removed" />}
            <Group justify="end">
              <Button variant="default" onClick={() => setConfirm(null)}>Cancel</Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(confirm)}>Remove</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function AddDiagnosis({ resident, disabled, onAdded, onStart }: { resident: Resident; disabled: boolean; onAdded: (d: Diagnosis) => void; onStart: () => void }) {
  const [text, setText] = useState('');
  const [comment, setComment] = useState('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const [debounced] = useDebouncedValue(text.trim(), 200);
  const codes = useQuery({
    queryKey: ['community', 'icd10cm', debounced],
    queryFn: () => unwrap(communityApi.GET('/v1/community/codes/icd10cm', { params: { query: { search: debounced, limit: 20 } } })),
    enabled: debounced.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
  const options = debounced.length >= 2 ? (codes.data?.codes ?? []).map(optionOf) : [];

  const add = useMutation({
    mutationFn: (code: string) => unwrap(communityApi.POST('/v1/community/residents/{residentId}/diagnoses', {
      params: { path: { residentId: resident.residentId } },
      body: { code, comment: comment.trim() || undefined },
    })),
    onSuccess: (r) => {
      setProblems(null);
      setText('');
      setComment('');
      onAdded(r.diagnosis);
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The diagnosis was not added']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    onStart();
    // The code is the option's first word (or what was typed).
    const code = text.trim().split(/\s+/)[0] ?? '';
    if (!code) return setProblems(['Choose an ICD-10-CM code']);
    add.mutate(code);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Add a diagnosis">
      <Stack gap="xs">
        {problems && <Alert color="red" role="alert" title="The diagnosis was not added">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        <Autocomplete
          label="ICD-10-CM code"
          description={codes.data?.fiscalYear ? `Type a code or words of the description (FY${codes.data.fiscalYear} code set)` : 'Type a code or words of the description'}
          placeholder="E11.9 or diabetes"
          disabled={disabled}
          value={text}
          onChange={(v) => { setText(v); setProblems(null); }}
          data={options}
          filter={({ options: all }) => all}
          limit={20}
          maxDropdownHeight={280}
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput label="Comment" maxLength={2000} disabled={disabled} value={comment} onChange={(e) => setComment(e.currentTarget.value)} />
        <Group><Button type="submit" loading={add.isPending} disabled={disabled}>Add diagnosis</Button></Group>
      </Stack>
    </form>
  );
}
