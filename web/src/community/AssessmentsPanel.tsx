/**
 * The Care Plan tab's assessments: complete one of the company's assessment templates (one answer per question, or
 * the whole score when the template has no questions); its total score sets the level of care from the template's
 * table (the API fires levelOfCare.update). Below, the resident's assessment history: when (in the location's time
 * zone), who, and the result.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Group, NativeSelect, NumberInput, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { Empty, QueryState } from '../components/QueryState';
import { formatDateTime } from '../lib/format';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
type Template = Ok<'/v1/community/assessment_templates', 'get'>['templates'][number];
type Assessment = Ok<'/v1/community/residents/{residentId}/assessments', 'get'>['assessments'][number];

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** "Level 3, $2,100.00 Monthly". */
function levelText(l: { name: string; amount: number | null; amountFrequency: string | null }): string {
  return [l.name, l.amount === null ? null : `${money.format(l.amount)}${l.amountFrequency ? ` ${l.amountFrequency}` : ''}`].filter(Boolean).join(', ');
}

export function AssessmentsPanel({ resident, onSaved }: { resident: Resident; onSaved: (r: Resident) => void }) {
  const templates = useQuery({
    queryKey: ['community', 'assessment-templates'],
    queryFn: () => unwrap(communityApi.GET('/v1/community/assessment_templates')).then((r) => r.templates),
  });
  const history = useQuery({
    queryKey: ['community', 'resident', resident.residentId, 'assessments'],
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents/{residentId}/assessments', { params: { path: { residentId: resident.residentId }, query: { per_page: 100 } } })),
  });
  return (
    <Stack>
      <Title order={3} size="h4">Complete an assessment</Title>
      <QueryState query={templates} loadingLabel="Loading assessment templates…">
        {(list) => (list.length
          ? <AssessmentForm resident={resident} templates={list} onSaved={onSaved} />
          : <Empty>The company has no assessment template yet.</Empty>)}
      </QueryState>
      <Title order={3} size="h4">Assessment history</Title>
      <QueryState query={history} loadingLabel="Loading the assessment history…">
        {(h) => (h.assessments.length
          ? <AssessmentHistory assessments={h.assessments} timeZone={h.timeZone} />
          : <Empty>No assessment yet.</Empty>)}
      </QueryState>
    </Stack>
  );
}

function AssessmentForm({ resident, templates, onSaved }: { resident: Resident; templates: Template[]; onSaved: (r: Resident) => void }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const [templateId, setTemplateId] = useState(templates[0].templateId);
  const template = templates.find((t) => t.templateId === templateId) ?? templates[0];
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [score, setScore] = useState<number | string>('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const total = template.questions.reduce((n, q) => n + (q.choices.find((c) => c.answer === answers[q.questionId])?.points ?? 0), 0);

  const save = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/residents/{residentId}/assessments', {
      params: { path: { residentId: resident.residentId } },
      body: template.questions.length
        ? { templateId: template.templateId, answers: template.questions.filter((q) => answers[q.questionId]).map((q) => ({ questionId: q.questionId, answer: answers[q.questionId] })) }
        : { templateId: template.templateId, ...(score === '' ? {} : { score: Number(score) }) },
    })),
    onSuccess: (r) => {
      setProblems(null);
      setSaved(`Assessment saved: the level of care is now ${levelText(r.assessment.levelOfCare)}.`);
      setAnswers({});
      setScore('');
      onSaved(r.resident);
      void qc.invalidateQueries({ queryKey: ['community', 'resident', resident.residentId, 'assessments'] });
      void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The assessment was not saved']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    const missing = template.questions.filter((q) => !answers[q.questionId]).map((q) => q.text);
    if (missing.length) return setProblems([`Answer every question: ${missing.join(', ')}`]);
    save.mutate();
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Assessment">
      <Stack>
        {problems && <Alert color="red" role="alert" title="The assessment was not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {saved && <Alert color="teal" role="status">{saved}</Alert>}
        {templates.length > 1 && (
          <NativeSelect label="Assessment" disabled={discharged} data={templates.map((t) => ({ value: t.templateId, label: t.name }))} value={templateId}
            onChange={(e) => { setTemplateId(e.currentTarget.value); setAnswers({}); setSaved(null); }} />
        )}
        <Text fw={600}>{template.name}</Text>
        {template.description && <Text size="sm" c="dimmed">{template.description}</Text>}
        {template.questions.map((q) => (
          <Radio.Group key={q.questionId} label={q.text} value={answers[q.questionId] ?? ''} onChange={(v) => { setSaved(null); setAnswers((a) => ({ ...a, [q.questionId]: v })); }}>
            <Group gap="md" mt={4} wrap="wrap">
              {q.choices.map((c) => <Radio key={c.answer} value={c.answer} disabled={discharged} label={`${c.answer} (${c.points})`} />)}
            </Group>
          </Radio.Group>
        ))}
        {template.questions.length === 0 && (
          <NumberInput label="Score" min={0} hideControls allowDecimal={false} disabled={discharged} value={score} onChange={setScore} maw={200} />
        )}
        {template.questions.length > 0 && <Text size="sm">Score so far: <strong>{total}</strong></Text>}
        <Group><Button type="submit" loading={save.isPending} disabled={discharged}>Complete assessment</Button></Group>
      </Stack>
    </form>
  );
}

function AssessmentHistory({ assessments, timeZone }: { assessments: Assessment[]; timeZone: string }) {
  return (
    <Stack component="ul" aria-label="Assessment history" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
      {assessments.map((a) => (
        <Paper component="li" key={a.assessmentId} withBorder p="sm">
          <Group justify="space-between" gap="xs" wrap="wrap">
            <Text fw={600}>{formatDateTime(a.completedTimestamp, timeZone)}</Text>
            <Badge variant="light">{levelText(a.levelOfCare)}</Badge>
          </Group>
          <Text size="sm">{a.templateName}: score {a.score}</Text>
          <Text size="sm" c="dimmed">By {a.userName} ({a.loginName})</Text>
        </Paper>
      ))}
    </Stack>
  );
}
