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

export const ProductQuery = graphql(`
  query Product($id: ID!) {
    node(id: $id) { __typename ... on Product { ...ProductFields } }
  }
`, [ProductFields]);

export const ProductEngagementsQuery = graphql(`
  query ProductEngagements($productId: ID!, $first: Int!, $after: String) {
    node(id: $productId) {
      __typename
      ... on Product {
        id
        engagements(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { id name description targetStart targetEnd createdAt }
        }
      }
    }
  }
`);

export const EngagementTestsQuery = graphql(`
  query EngagementTests($engagementId: ID!, $first: Int!, $after: String) {
    node(id: $engagementId) {
      __typename
      ... on Engagement {
        id name product { id name }
        tests(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { id title scanType createdAt updatedAt connector { id name kind } }
        }
      }
    }
  }
`);

export const TestImportsQuery = graphql(`
  query TestImports($testId: ID!, $first: Int!, $after: String) {
    node(id: $testId) {
      __typename
      ... on Test {
        id title engagement { id name product { id name } } connector { id name }
        imports(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes {
            id createdAt untouchedCount
            newFindingIds closedFindingIds reactivatedFindingIds updatedFindingIds
            operation { id type status }
          }
        }
      }
    }
  }
`);

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
