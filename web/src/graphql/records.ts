// A connector's records (one per project in the tool): lists by state, the record actions, the live feed.
import { graphql } from './tada';

export const RecordFields = graphql(`
  fragment RecordFields on Record {
    id name vendorKey state metadata firstDiscoveredAt lastDiscoveredAt finalizedAt
    product { id name }
    connector { id }
  }
`);

export const ConnectorRecordsQuery = graphql(`
  query ConnectorRecords($connectorId: ID!, $first: Int!, $after: String, $states: [RecordState!]) {
    node(id: $connectorId) {
      __typename
      ... on Connector {
        id
        records(first: $first, after: $after, states: $states) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ...RecordFields }
        }
      }
    }
  }
`, [RecordFields]);

/** records of the connectors the viewer may see; the cache moves each into the lists its state belongs to */
export const RecordChangedSubscription = graphql(`
  subscription RecordChanged($connectorId: ID) {
    recordChanged(connectorId: $connectorId) { ...RecordFields }
  }
`, [RecordFields]);

export const MapRecordMutation = graphql(`
  mutation MapRecord($input: MapRecordInput!) {
    mapRecord(input: $input) { record { ...RecordFields } }
  }
`, [RecordFields]);

export const IgnoreRecordMutation = graphql(`
  mutation IgnoreRecord($input: IgnoreRecordInput!) {
    ignoreRecord(input: $input) { record { ...RecordFields } }
  }
`, [RecordFields]);

export const RestoreRecordMutation = graphql(`
  mutation RestoreRecord($input: RestoreRecordInput!) {
    restoreRecord(input: $input) { record { ...RecordFields } }
  }
`, [RecordFields]);

export const DeleteRecordMutation = graphql(`
  mutation DeleteRecord($input: DeleteRecordInput!) { deleteRecord(input: $input) { deletedId } }
`);
