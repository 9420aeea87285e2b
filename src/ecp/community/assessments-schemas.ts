/**
 * Wire schemas of the Care Plan tab's assessments (`/v1/community/...assessments`): the company's templates, completing
 * an assessment (the partner API's `POST /clinical/v1/resident/assessment` fields, the user being the signed-in one)
 * and the resident's assessment history.
 */
import { Type, type Static } from 'typebox';
import { Pagination, PageQuery } from '../../platform/pagination.ts';
import { AssessmentList, AssessmentTemplateList, NewAssessment } from '../assessments/schemas.ts';
import { CommunityResident } from './schemas.ts';

/** `GET /v1/community/assessment_templates`. */
export const CommunityAssessmentTemplates = Type.Object({ templates: AssessmentTemplateList.properties.data });

const { residentId: _residentId, userId: _userId, loginName: _loginName, ...assessmentFields } = NewAssessment.properties;
/** `POST /v1/community/residents/{residentId}/assessments`: the partner API's fields without the resident and the user. */
export const NewCommunityAssessment = Type.Object(assessmentFields);
export type NewCommunityAssessmentWire = Static<typeof NewCommunityAssessment>;

const { residentId: _listResidentId, locationId: _locationId, ...historyFields } = AssessmentList.properties.data.items.properties;
/** One completed assessment in the Care Plan tab's history. */
export const CommunityAssessment = Type.Object({
  ...historyFields,
  userName: Type.String({ description: 'First and last name of the ECP user who completed it.' }),
});

export const CommunityAssessmentCreated = Type.Object({
  assessment: CommunityAssessment,
  resident: CommunityResident,
}, { description: 'The assessment and the resident with the level of care it set.' });

export const CommunityAssessmentQuery = Type.Object({ ...PageQuery });

export const CommunityAssessmentHistory = Type.Object({
  timeZone: Type.String({ description: 'IANA time zone of the resident\'s location: the workspace shows times there.' }),
  assessments: Type.Array(CommunityAssessment, { description: 'Newest first.' }),
  pagination: Pagination,
});
