// GraphQL documents sent from more than one test file, directly or through the harness: users and
// members, the product hierarchy, connectors, records and operations. One file's own stay in it.

export const LOGIN = /* GraphQL */ `
  mutation($i: LoginInput!) {
    login(input: $i) { token }
  }`;

export const CREATE_USER = /* GraphQL */ `
  mutation($i: CreateUserInput!) {
    createUser(input: $i) { user { id } }
  }`;

export const ADD_PRODUCT_MEMBER = /* GraphQL */ `
  mutation($i: AddProductMemberInput!) {
    addProductMember(input: $i) { member { id role user { email } } }
  }`;

// --- the product hierarchy ---

export const CREATE_PRODUCT = /* GraphQL */ `
  mutation($i: CreateProductInput!) {
    createProduct(input: $i) { product { id name description } }
  }`;

export const CREATE_ENGAGEMENT = /* GraphQL */ `
  mutation($i: CreateEngagementInput!) {
    createEngagement(input: $i) { engagement { id name product { id name } } }
  }`;

export const CREATE_TEST = /* GraphQL */ `
  mutation($i: CreateTestInput!) {
    createTest(input: $i) { test { id title } }
  }`;

export const CREATE_FINDING = /* GraphQL */ `
  mutation($i: CreateFindingInput!) {
    createFinding(input: $i) { finding { id } }
  }`;

export const DELETE_PRODUCT = /* GraphQL */ `
  mutation($id: ID!) {
    deleteProduct(input: { id: $id }) { deletedId }
  }`;

// --- connectors, records, operations ---

/** every Connector field but its lists */
export const CONNECTOR_FIELDS = /* GraphQL */ `
  id name kind url hasSecret options autoMap minimumSeverity discoverSchedule syncSchedule
  nextDiscoverAt nextSyncAt operationsRetained`;

export const OPERATION_FIELDS = /* GraphQL */ `
  id type status trigger startedAt endedAt durationMs error
  stats {
    recordsDiscovered recordsNew recordsMissing recordsSynced
    findingsNew findingsClosed findingsReactivated findingsUntouched
  }`;

export const CREATE_CONNECTOR = /* GraphQL */ `
  mutation($i: CreateConnectorInput!) {
    createConnector(input: $i) { connector { ${CONNECTOR_FIELDS} } }
  }`;

export const UPDATE_CONNECTOR = /* GraphQL */ `
  mutation($i: UpdateConnectorInput!) {
    updateConnector(input: $i) { connector { ${CONNECTOR_FIELDS} } }
  }`;

export const TEST_CONNECTOR = /* GraphQL */ `
  mutation($id: ID!) {
    testConnector(input: { id: $id }) { ok message }
  }`;

export const CONNECTOR = /* GraphQL */ `
  query($id: ID!) {
    node(id: $id) { ... on Connector { ${CONNECTOR_FIELDS} } }
  }`;

export const RUN_DISCOVER = /* GraphQL */ `
  mutation($c: ID!) {
    runDiscover(input: { connectorId: $c }) { operation { id type trigger } }
  }`;

export const RUN_SYNC = /* GraphQL */ `
  mutation($c: ID!) {
    runSync(input: { connectorId: $c }) { operation { id type trigger } }
  }`;

export const OPERATION = /* GraphQL */ `
  query($id: ID!) {
    node(id: $id) { ... on Operation { ${OPERATION_FIELDS} } }
  }`;

/** a connector's operations, newest first, optionally of one type */
export const CONNECTOR_OPERATIONS = /* GraphQL */ `
  query($id: ID!, $type: OperationType) {
    node(id: $id) {
      ... on Connector { operations(first: 10, type: $type) { totalCount nodes { id type } } }
    }
  }`;

export const RECORDS = /* GraphQL */ `
  query($id: ID!) {
    node(id: $id) {
      ... on Connector {
        records(first: 100) { totalCount nodes { id vendorKey name state product { id name } finalizedAt } }
      }
    }
  }`;

export const MAP_RECORD = /* GraphQL */ `
  mutation($i: MapRecordInput!) {
    mapRecord(input: $i) { record { id vendorKey state finalizedAt product { id name } } }
  }`;

export const IGNORE_RECORD = /* GraphQL */ `
  mutation($r: ID!) {
    ignoreRecord(input: { recordId: $r }) { record { id state product { id } } }
  }`;
