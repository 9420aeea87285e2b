/**
 * Discharge from the Resident File (fires resident.delete), after a confirmation; a discharged resident's file links
 * to the Discharged Residents list, where Reactivate is (resident.create, same residentId).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { ErrorMessages } from '../components/QueryState';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];

export function DischargeResident({ resident, onChanged }: { resident: Resident; onChanged: (r: Resident) => void }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const name = `${resident.firstName} ${resident.lastName}`;
  const discharge = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/residents/{residentId}/discharge', { params: { path: { residentId: resident.residentId } } })),
    onSuccess: (r) => {
      setOpen(false);
      onChanged(r.resident);
      void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
    },
  });

  if (resident.dischargedAt !== null) {
    return <Button component={Link} to="/community/residents?status=discharged" variant="light" size="sm">Discharged Residents</Button>;
  }
  return (
    <>
      <Button variant="light" color="red" size="sm" onClick={() => { discharge.reset(); setOpen(true); }}>Discharge</Button>
      <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={open} onClose={() => setOpen(false)} title={`Discharge ${name}?`}>
        <Stack>
          <Text size="sm">The resident moves to the Discharged list; contacts, diagnoses, allergies and readings are kept, and they can be reactivated later.</Text>
          {discharge.error && <ErrorMessages error={discharge.error} title="The resident was not discharged" />}
          <Group justify="end">
            <Button variant="default" onClick={() => setOpen(false)}>Cancel</Button>
            <Button color="red" loading={discharge.isPending} onClick={() => discharge.mutate()}>Discharge resident</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
