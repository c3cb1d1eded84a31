// Admin: users with their global and product roles, and the viewer's own API tokens.
import { graphql } from './tada';

export const AdminUserFields = graphql(`
  fragment AdminUserFields on User {
    id email name globalRole isSuperuser isActive createdAt
    memberships(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id role product { id name } }
    }
  }
`);

export const UsersQuery = graphql(`
  query Users($first: Int!, $after: String, $search: String) {
    users(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...AdminUserFields }
    }
  }
`, [AdminUserFields]);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { user { ...AdminUserFields } } }
`, [AdminUserFields]);

export const UpdateUserMutation = graphql(`
  mutation UpdateUser($input: UpdateUserInput!) { updateUser(input: $input) { user { ...AdminUserFields } } }
`, [AdminUserFields]);

export const AddProductMemberMutation = graphql(`
  mutation AddProductMember($input: AddProductMemberInput!) {
    addProductMember(input: $input) { member { id role product { id name } user { id } } }
  }
`);

export const RemoveProductMemberMutation = graphql(`
  mutation RemoveProductMember($input: RemoveProductMemberInput!) { removeProductMember(input: $input) { ok } }
`);

export const ApiTokenFields = graphql(`
  fragment ApiTokenFields on ApiToken { id name createdAt lastUsedAt }
`);

export const ApiTokensQuery = graphql(`
  query ApiTokens($first: Int!, $after: String) {
    apiTokens(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...ApiTokenFields }
    }
  }
`, [ApiTokenFields]);

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) { token apiToken { ...ApiTokenFields } }
  }
`, [ApiTokenFields]);

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { ok } }
`);

/** products to give a user a role on */
export const AdminProductsQuery = graphql(`
  query AdminProducts($first: Int!, $after: String, $search: String) {
    products(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name }
    }
  }
`);
