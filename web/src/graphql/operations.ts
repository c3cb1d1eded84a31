// A connector's operations (discover, sync): the list, one operation, and the live feed.
import { graphql } from './tada';

export const OperationFields = graphql(`
  fragment OperationFields on Operation {
    id type status trigger createdAt startedAt endedAt durationMs error progress
    stats {
      recordsDiscovered recordsNew recordsMissing recordsSynced
      findingsNew findingsClosed findingsReactivated findingsUntouched findingsRejected
    }
    triggeredBy { id name email }
    connector { id }
  }
`);

export const ConnectorOperationsQuery = graphql(`
  query ConnectorOperations($connectorId: ID!, $first: Int!, $after: String, $type: OperationType) {
    node(id: $connectorId) {
      __typename
      ... on Connector {
        id
        operations(first: $first, after: $after, type: $type) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ...OperationFields }
        }
      }
    }
  }
`, [OperationFields]);

export const OperationQuery = graphql(`
  query Operation($id: ID!) {
    node(id: $id) {
      __typename
      ... on Operation { ...OperationFields rejections { reason record } connector { id name kind } }
    }
  }
`, [OperationFields]);

/** every operation the viewer may see (of one connector, if given); the cache inserts new ones into lists */
export const OperationChangedSubscription = graphql(`
  subscription OperationChanged($connectorId: ID) {
    operationChanged(connectorId: $connectorId) { ...OperationFields }
  }
`, [OperationFields]);

export const RunDiscoverMutation = graphql(`
  mutation RunDiscover($input: RunDiscoverInput!) {
    runDiscover(input: $input) { operation { ...OperationFields } }
  }
`, [OperationFields]);

export const RunSyncMutation = graphql(`
  mutation RunSync($input: RunSyncInput!) {
    runSync(input: $input) { operation { ...OperationFields } }
  }
`, [OperationFields]);

