// Findings: lists (across products, or of one product or test) with the shared filter, one finding
// with its notes, and the changes an analyst makes.
import { graphql } from './tada';
import { ProductMemberFields } from './products';

export const FindingListFields = graphql(`
  fragment FindingListFields on Finding {
    id title severity active verified falsePositive riskAccepted outOfScope duplicate isMitigated underReview
    componentName componentVersion filePath line date createdAt mitigatedAt
    test { id title engagement { id product { id name } } }
  }
`);

export const FindingFields = graphql(`
  fragment FindingFields on Finding {
    ...FindingListFields
    description mitigation references cwe cwes cvssScore cvssVector cvssV4Score cvssV4Vector epssScore epssPercentile
    knownExploited fixAvailable fixVersion endLine toolName toolVersion codeClassification
    dismissedInTool dismissedBy dismissedAt dismissedReason
    uniqueIdFromTool vulnIdFromTool hashCode vulnerabilityIds vendorUrl service
    slaStartDate slaExpirationDate lastStatusUpdate updatedAt
    test { id title connector { id name kind } engagement { id name product { id name ...ProductMemberFields } } }
  }
`, [FindingListFields, ProductMemberFields]);

export const FindingNoteFields = graphql(`
  fragment FindingNoteFields on FindingNote { id text createdAt author { id name email } }
`);

export const FindingsQuery = graphql(`
  query Findings($first: Int!, $after: String, $filter: FindingFilter) {
    findings(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...FindingListFields }
    }
  }
`, [FindingListFields]);

export const FindingQuery = graphql(`
  query Finding($id: ID!, $notesFirst: Int!, $notesAfter: String) {
    node(id: $id) {
      __typename
      ... on Finding {
        ...FindingFields
        notes(first: $notesFirst, after: $notesAfter) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ...FindingNoteFields }
        }
      }
    }
  }
`, [FindingFields, FindingNoteFields]);

/** a product's name, for the list's "Product: …" filter chip */
export const FindingFilterProductQuery = graphql(`
  query FindingFilterProduct($id: ID!) { node(id: $id) { __typename ... on Product { id name } } }
`);

/** open findings per severity, across every product the viewer may see (counted by the server) */
export const OpenFindingsBySeverityQuery = graphql(`
  query OpenFindingsBySeverity { findingSummary { critical high medium low info total } }
`);

/** findings opened and closed per day, by hand or by a sync, on the products the viewer may see */
export const FindingTrendQuery = graphql(`
  query FindingTrend($days: Int!) { findingTrend(days: $days) { day opened closed } }
`);

export const UpdateFindingMutation = graphql(`
  mutation UpdateFinding($input: UpdateFindingInput!) {
    updateFinding(input: $input) { finding { ...FindingFields } }
  }
`, [FindingFields]);

export const AddFindingNoteMutation = graphql(`
  mutation AddFindingNote($input: AddFindingNoteInput!) {
    addFindingNote(input: $input) { finding { id } }
  }
`);

export const RequestFindingReviewMutation = graphql(`
  mutation RequestFindingReview($input: RequestFindingReviewInput!) {
    requestFindingReview(input: $input) { finding { id underReview } }
  }
`);

export const DeleteFindingMutation = graphql(`
  mutation DeleteFinding($input: DeleteFindingInput!) { deleteFinding(input: $input) { deletedId } }
`);
