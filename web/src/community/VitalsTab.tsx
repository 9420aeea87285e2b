/**
 * The Resident File's Vitals tab: record the seven vitals of seed 000 (any of them, taken at one time, in the seed's
 * units), and a chart per vital over time with every reading of the resident, partners' readings included. The
 * plausibility checks are the API's (the vitals service's): each message is shown under the field it names. Times are
 * shown, and entered, in the resident's location's time zone. Seed 000 names no vitals webhook event.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { LineChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { QueryState } from '../components/QueryState';
import { formatDateTime } from '../lib/format';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
type Kind = Ok<'/v1/community/vital_kinds', 'get'>['kinds'][number];
type Reading = Ok<'/v1/community/residents/{residentId}/vitals', 'get'>['vitals'][number];
type FieldName = keyof Reading['values'];

const COLORS = ['indigo.6', 'teal.6'];

/** "YYYY-MM-DDTHH:mm" of `at` on the wall clock of `timeZone` (what a datetime-local input holds). */
function wallTime(timeZone: string, at = new Date()): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A short date ("Dec 7") in `timeZone`, for chart ticks. */
function shortDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric' }).format(new Date(ms));
}

/** The name a field goes by in the form: "Systolic", "Pulse", "Blood oxygen". */
function fieldLabel(kind: Kind, name: string): string {
  if (kind.fields.length > 1) return name.charAt(0).toUpperCase() + name.slice(1);
  return kind.label.replace(/ \(.*\)$/, '');
}

/** A reading's value as printed: "128/82 mmHg", "98.6 °F". */
function printed(kind: Kind, r: Reading): string {
  return `${kind.fields.map((f) => r.values[f.name as FieldName]).join('/')} ${kind.unit}`;
}

export function VitalsTab({ resident }: { resident: Resident }) {
  const kinds = useQuery({
    queryKey: ['community', 'vital-kinds'],
    queryFn: () => unwrap(communityApi.GET('/v1/community/vital_kinds')).then((r) => r.kinds),
    staleTime: Infinity,
  });
  const readings = useQuery({
    queryKey: ['community', 'resident', resident.residentId, 'vitals'],
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents/{residentId}/vitals', { params: { path: { residentId: resident.residentId } } })),
  });
  return (
    <QueryState query={kinds} loadingLabel="Loading vitals…">
      {(k) => (
        <QueryState query={readings} loadingLabel="Loading vitals…">
          {(list) => (
            <Stack>
              <VitalsForm resident={resident} kinds={k} timeZone={list.timeZone} />
              <Title order={3} size="h4">Vitals over time</Title>
              <Text size="sm" c="dimmed">Every reading of the resident, those partners sent included. Times in {list.timeZone.replace(/_/g, ' ')}.</Text>
              {list.truncated && <Alert color="gray">Showing the newest {list.vitals.length} readings.</Alert>}
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                {k.map((kind) => <VitalChart key={kind.kind} kind={kind} readings={list.vitals.filter((r) => r.kind === kind.kind)} timeZone={list.timeZone} />)}
              </SimpleGrid>
            </Stack>
          )}
        </QueryState>
      )}
    </QueryState>
  );
}

function VitalsForm({ resident, kinds, timeZone }: { resident: Resident; kinds: Kind[]; timeZone: string }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const fields = kinds.flatMap((kind) => kind.fields.map((f) => ({ kind, name: f.name as FieldName, label: `${fieldLabel(kind, f.name)} (${kind.unit})` })));
  const empty = () => Object.fromEntries(fields.map((f) => [f.name, ''])) as Record<FieldName, number | string>;
  const [values, setValues] = useState(empty);
  const [takenAt, setTakenAt] = useState(() => wallTime(timeZone));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, number | string> = { timestamp: takenAt };
      for (const f of fields) if (values[f.name] !== '') body[f.name] = Number(values[f.name]);
      return unwrap(communityApi.POST('/v1/community/residents/{residentId}/vitals', { params: { path: { residentId: resident.residentId } }, body }));
    },
    onSuccess: (r) => {
      setFieldErrors({});
      setProblems(null);
      setSaved(`${r.vitals.length === 1 ? 'One reading' : `${r.vitals.length} readings`} saved.`);
      setValues(empty());
      setTakenAt(wallTime(timeZone));
      void qc.invalidateQueries({ queryKey: ['community', 'resident', resident.residentId, 'vitals'] });
    },
    onError: (err) => {
      const messages = err instanceof ApiError ? err.messages : ['The vitals were not saved'];
      // Each sentence of the API names its field first ("systolic must be between 50 and 300 (mmHg)").
      const byField: Record<string, string[]> = {};
      const rest: string[] = [];
      for (const m of messages) {
        const field = [...fields.map((f) => f.name as string), 'timestamp'].find((n) => m.startsWith(`${n} `));
        if (field) (byField[field] ??= []).push(m);
        else rest.push(m);
      }
      setFieldErrors(byField);
      setProblems(rest.length ? rest : null);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    save.mutate();
  }

  const errorOf = (name: string) => (fieldErrors[name] ? fieldErrors[name].join('; ') : undefined);

  return (
    <form onSubmit={submit} noValidate aria-label="Record vitals">
      <Stack>
        <Title order={3} size="h4">Record vitals</Title>
        {Object.keys(fieldErrors).length > 0 && <Alert color="red" role="alert" title="The vitals were not saved">Check the values marked below.</Alert>}
        {problems && <Alert color="red" role="alert" title="The vitals were not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {saved && <Alert color="teal" role="status">{saved}</Alert>}
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          {fields.map((f) => (
            <NumberInput
              key={f.name}
              label={f.label}
              disabled={discharged}
              hideControls
              decimalScale={1}
              inputMode="decimal"
              value={values[f.name]}
              error={errorOf(f.name)}
              onChange={(v) => { setSaved(null); setValues((cur) => ({ ...cur, [f.name]: v })); }}
            />
          ))}
        </SimpleGrid>
        <TextInput
          label={`Taken at (${timeZone.replace(/_/g, ' ')})`}
          type="datetime-local"
          maw={280}
          disabled={discharged}
          value={takenAt}
          error={errorOf('timestamp')}
          onChange={(e) => setTakenAt(e.currentTarget.value)}
        />
        <Group><Button type="submit" loading={save.isPending} disabled={discharged}>Save vitals</Button></Group>
      </Stack>
    </form>
  );
}

function VitalChart({ kind, readings, timeZone }: { kind: Kind; readings: Reading[]; timeZone: string }) {
  const title = kind.label.replace(/ \(.*\)$/, '');
  const latest = readings.at(-1);
  const data = readings.map((r) => ({ t: Date.parse(r.recordedAt), ...r.values }));
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={4} size="h5">{title} ({kind.unit})</Title>
        {latest ? (
          <>
            <Text size="sm">
              Latest: <strong>{printed(kind, latest)}</strong>, {formatDateTime(latest.recordedAt, timeZone)}, by {latest.recordedBy.name}
            </Text>
            <div role="img" aria-label={`Chart of ${title.toLowerCase()}: ${readings.length} readings from ${formatDateTime(readings[0].recordedAt, timeZone)} to ${formatDateTime(latest.recordedAt, timeZone)}; latest ${printed(kind, latest)}`}>
              <LineChart
                h={180}
                data={data}
                dataKey="t"
                series={kind.fields.map((f, i) => ({ name: f.name, label: fieldLabel(kind, f.name), color: COLORS[i] }))}
                curveType="linear"
                withLegend={kind.fields.length > 1}
                yAxisProps={{ domain: ['auto', 'auto'], width: 40 }}
                xAxisProps={{ type: 'number', scale: 'time', domain: ['dataMin', 'dataMax'], tickFormatter: (v: number) => shortDate(v, timeZone) }}
                // The tooltip renders before a point is hovered (no label yet).
                tooltipProps={{ labelFormatter: (v) => (Number.isFinite(Number(v)) && v !== null && v !== '' ? formatDateTime(new Date(Number(v)).toISOString(), timeZone) : '') }}
              />
            </div>
          </>
        ) : (
          <Text size="sm" c="dimmed">No readings yet.</Text>
        )}
      </Stack>
    </Card>
  );
}
