/** Imports (admins): a Member Information File or an authorization file; counts and every rejected row with its reasons. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, FileInput, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatDateTime } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

type Kind = 'mif' | 'authorization';
interface Outcome {
  message: string;
  created: number;
  updated: number;
  rejected: number;
  unknownColumns: string[];
  errors: Array<{ row: number; member_id?: string | null; messages: string[] }>;
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(new Error('The file could not be read'));
    r.readAsDataURL(file);
  });
}

export function ImportsPage() {
  const { timeZone } = useSession();
  const qc = useQueryClient();
  const [kind, setKind] = useState<Kind>('mif');
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const history = useQuery({ queryKey: ['mifs'], queryFn: () => unwrap(api.GET('/v1/admin/clinic/ecm/mifs', { params: { query: { per_page: 10 } } })) });
  const upload = useMutation({
    mutationFn: async ({ kind, file }: { kind: Kind; file: File }): Promise<Outcome> => {
      const data = await readAsDataUrl(file);
      if (kind === 'mif') {
        const r = await unwrap(api.POST('/v1/admin/clinic/ecm/mifs', { body: { mif: { file: data, filename: file.name } } }));
        const m = r.mif_import;
        return { message: r.message, created: m.created_count, updated: m.updated_count, rejected: m.rejected_count, unknownColumns: m.unknown_columns, errors: m.errors };
      }
      const r = await unwrap(api.POST('/v1/admin/clinic/ecm/authorizations', { body: { authorization: { file: data, filename: file.name } } }));
      return { message: r.message, created: r.imported_count, updated: r.updated_count, rejected: r.rejected_count, unknownColumns: [], errors: r.errors };
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['mifs'] });
      void qc.invalidateQueries({ queryKey: ['patients'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (file) upload.mutate({ kind, file });
  };
  const o = upload.data;

  return (
    <Stack>
      <Title order={2}>Imports</Title>
      <Card withBorder>
        <form onSubmit={submit} aria-label="Upload an import file">
          <Stack gap="sm">
            <SegmentedControl value={kind} onChange={(v) => { setKind(v as Kind); upload.reset(); }} data={[{ value: 'mif', label: 'Member Information File' }, { value: 'authorization', label: 'Authorization file' }]} aria-label="What the file is" />
            <FileInput label="File (CSV, XML or Excel)" placeholder="Choose a file" accept=".csv,.xml,.xlsx,.xlsm,.xls" value={file} onChange={setFile} clearable error={missing ? 'Choose a file to import' : undefined} />
            <Group><Button type="submit" loading={upload.isPending}>Import</Button></Group>
          </Stack>
        </form>
      </Card>
      {upload.error && <ErrorMessages error={upload.error} title="The file was not imported" />}
      {o && (
        <Card withBorder aria-live="polite">
          <Alert color={o.rejected ? 'yellow' : 'green'} title={o.message} role="status">
            <Group gap="lg">
              <Text data-testid="import-created">Created: <b>{o.created}</b></Text>
              <Text data-testid="import-updated">Updated: <b>{o.updated}</b></Text>
              <Text data-testid="import-rejected">Rejected: <b>{o.rejected}</b></Text>
            </Group>
            {o.unknownColumns.length > 0 && <Text size="sm" mt="xs">Columns not recognised (ignored): {o.unknownColumns.join(', ')}</Text>}
          </Alert>
          {o.errors.length > 0 && (
            <Table mt="sm">
              <caption style={{ captionSide: 'top', textAlign: 'left', fontWeight: 600 }}>Rejected rows</caption>
              <Table.Thead><Table.Tr><Table.Th>Row</Table.Th><Table.Th>Member ID</Table.Th><Table.Th>Reasons</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {o.errors.map((e) => (
                  <Table.Tr key={e.row}><Table.Td>{e.row}</Table.Td><Table.Td>{e.member_id ?? '—'}</Table.Td><Table.Td>{e.messages.join('; ')}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      )}
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">Recent Member Information File imports</Title>
        {history.isPending ? <Loading /> : history.error ? <ErrorMessages error={history.error} /> : history.data.mif_imports.length === 0 ? <Empty>No imports yet.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>File</Table.Th><Table.Th>Source</Table.Th><Table.Th>Created</Table.Th><Table.Th>Updated</Table.Th><Table.Th>Rejected</Table.Th><Table.Th>When</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {history.data.mif_imports.map((m) => (
                <Table.Tr key={m.id}><Table.Td>{m.filename ?? '—'}</Table.Td><Table.Td>{m.source}</Table.Td><Table.Td>{m.created_count}</Table.Td><Table.Td>{m.updated_count}</Table.Td><Table.Td>{m.rejected_count}</Table.Td><Table.Td>{formatDateTime(m.created_at, timeZone)}</Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </Stack>
  );
}
