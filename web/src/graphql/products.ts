// Products and what hangs under them: engagements, tests and each test's import history.
import { graphql } from './tada';

export const ProductFields = graphql(`
  fragment ProductFields on Product { id name description createdAt updatedAt }
`);

export const ProductsQuery = graphql(`
  query Products($first: Int!, $after: String, $search: String) {
    products(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...ProductFields openFindings: findings(filter: { active: true }) { totalCount } }
    }
  }
`, [ProductFields]);

/** the viewer's membership is among the members: with their global role it decides what they may do */
export const ProductMemberFields = graphql(`
  fragment ProductMemberFields on Product {
    members(first: 100) { totalCount nodes { id role user { id name email } } }
  }
`);

export const ProductQuery = graphql(`
  query Product($id: ID!) {
    node(id: $id) {
      __typename
      ... on Product {
        ...ProductFields
        ...ProductMemberFields
        openFindings: findings(filter: { active: true }) { totalCount }
      }
    }
  }
`, [ProductFields, ProductMemberFields]);

export const EngagementFields = graphql(`
  fragment EngagementFields on Engagement { id name description status closedAt targetStart targetEnd createdAt }
`);

export const ProductEngagementsQuery = graphql(`
  query ProductEngagements($productId: ID!, $first: Int!, $after: String) {
    node(id: $productId) {
      __typename
      ... on Product {
        id
        engagements(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ...EngagementFields tests { totalCount } }
        }
      }
    }
  }
`, [EngagementFields]);

export const EngagementQuery = graphql(`
  query Engagement($id: ID!) {
    node(id: $id) {
      __typename
      ... on Engagement {
        ...EngagementFields
        product { id name ...ProductMemberFields }
        openFindings: findings(filter: { active: true }) { totalCount }
      }
    }
  }
`, [EngagementFields, ProductMemberFields]);

export const EngagementTestsQuery = graphql(`
  query EngagementTests($engagementId: ID!, $first: Int!, $after: String) {
    node(id: $engagementId) {
      __typename
      ... on Engagement {
        id
        tests(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes {
            id title scanType createdAt updatedAt connector { id name kind }
            openFindings: findings(filter: { active: true }) { totalCount }
          }
        }
      }
    }
  }
`);

export const TestQuery = graphql(`
  query Test($id: ID!) {
    node(id: $id) {
      __typename
      ... on Test {
        id title scanType createdAt updatedAt
        connector { id name kind }
        engagement { id name status product { id name ...ProductMemberFields } }
        openFindings: findings(filter: { active: true }) { totalCount }
      }
    }
  }
`, [ProductMemberFields]);

export const TestImportsQuery = graphql(`
  query TestImports($testId: ID!, $first: Int!, $after: String) {
    node(id: $testId) {
      __typename
      ... on Test {
        id
        imports(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes {
            id createdAt untouchedCount
            newFindingIds closedFindingIds reactivatedFindingIds updatedFindingIds
            operation { id type status trigger startedAt connector { id name } }
          }
        }
      }
    }
  }
`);

/** the findings an import touched, by id (a finding deleted since answers null) */
export const ImportedFindingsQuery = graphql(`
  query ImportedFindings($ids: [ID!]!) {
    nodes(ids: $ids) { __typename ... on Finding { id title severity active } }
  }
`);

export const CloseEngagementMutation = graphql(`
  mutation CloseEngagement($input: CloseEngagementInput!) {
    closeEngagement(input: $input) { engagement { ...EngagementFields } }
  }
`, [EngagementFields]);

export const ReopenEngagementMutation = graphql(`
  mutation ReopenEngagement($input: ReopenEngagementInput!) {
    reopenEngagement(input: $input) { engagement { ...EngagementFields } }
  }
`, [EngagementFields]);

export const CreateProductMutation = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) { product { ...ProductFields } }
  }
`, [ProductFields]);

export const UpdateProductMutation = graphql(`
  mutation UpdateProduct($input: UpdateProductInput!) {
    updateProduct(input: $input) { product { ...ProductFields } }
  }
`, [ProductFields]);

export const DeleteProductMutation = graphql(`
  mutation DeleteProduct($input: DeleteProductInput!) { deleteProduct(input: $input) { deletedId } }
`);

export const DeleteEngagementMutation = graphql(`
  mutation DeleteEngagement($input: DeleteEngagementInput!) { deleteEngagement(input: $input) { deletedId } }
`);

export const DeleteTestMutation = graphql(`
  mutation DeleteTest($input: DeleteTestInput!) { deleteTest(input: $input) { deletedId } }
`);
