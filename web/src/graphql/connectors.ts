// Connectors and the kinds they can be: lists, one connector, create/update/delete/test.
import { graphql } from './tada';
import { OperationFields } from './operations';

export const ConnectorFields = graphql(`
  fragment ConnectorFields on Connector {
    id name kind url hasSecret options autoMap doNotReactivate minimumSeverity
    discoverSchedule syncSchedule nextDiscoverAt nextSyncAt operationsRetained createdAt
  }
`);

export const ConnectorKindsQuery = graphql(`
  query ConnectorKinds {
    connectorKinds { id label dedupeAlgorithm fields { name label type required secret help } }
  }
`);

/** with each connector's newest operation, which is what its health is read from */
export const ConnectorsQuery = graphql(`
  query Connectors($first: Int!, $after: String) {
    connectors(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        ...ConnectorFields
        latestOperations: operations(first: 1) { nodes { ...OperationFields } }
      }
    }
  }
`, [ConnectorFields, OperationFields]);

export const ConnectorQuery = graphql(`
  query Connector($id: ID!) {
    node(id: $id) { __typename ... on Connector { ...ConnectorFields } }
  }
`, [ConnectorFields]);

export const CreateConnectorMutation = graphql(`
  mutation CreateConnector($input: CreateConnectorInput!) {
    createConnector(input: $input) { connector { ...ConnectorFields } }
  }
`, [ConnectorFields]);

export const UpdateConnectorMutation = graphql(`
  mutation UpdateConnector($input: UpdateConnectorInput!) {
    updateConnector(input: $input) { connector { ...ConnectorFields } }
  }
`, [ConnectorFields]);

export const DeleteConnectorMutation = graphql(`
  mutation DeleteConnector($input: DeleteConnectorInput!) { deleteConnector(input: $input) { deletedId } }
`);

export const TestConnectorMutation = graphql(`
  mutation TestConnector($input: TestConnectorInput!) { testConnector(input: $input) { ok message } }
`);
