// Admin: users (with their global and product roles) and the viewer's own API tokens.
import { toValue, type MaybeRefOrGetter } from 'vue';
import {
  AddProductMemberMutation, AdminProductsQuery, ApiTokensQuery, CreateApiTokenMutation, CreateUserMutation, RemoveProductMemberMutation,
  RevokeApiTokenMutation, UpdateUserMutation, UsersQuery,
} from '../graphql/admin';
import type { ResultOf } from '../graphql/tada';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

export type AdminUser = ResultOf<typeof UsersQuery>['users'] extends infer C ? C extends { nodes: ReadonlyArray<infer N> } ? N : never : never;
export type ApiToken = ResultOf<typeof ApiTokensQuery>['apiTokens'] extends infer C ? C extends { nodes: ReadonlyArray<infer N> } ? N : never : never;

/** users by email; `search` matches email or name */
export function useUsers(search: MaybeRefOrGetter<string>, pageSize = 20) {
  return useConnection({
    query: UsersQuery,
    variables: () => ({ search: toValue(search).trim() || null }),
    connection: (data) => data.users,
    pageSize,
  });
}

export const useCreateUser = () => useMutationAction(CreateUserMutation, { success: (data) => `User ${data.createUser?.user?.email ?? ''} created` });
export const useUpdateUser = () => useMutationAction(UpdateUserMutation, { success: (data) => `${data.updateUser?.user?.email ?? 'User'} saved` });
export const useAddProductMember = () => useMutationAction(AddProductMemberMutation, { success: (data) => `Added to ${data.addProductMember?.member?.product?.name ?? 'the product'}` });
export const useRemoveProductMember = () => useMutationAction(RemoveProductMemberMutation, { success: 'Removed from the product' });

export function useAdminProducts(search: MaybeRefOrGetter<string>, pause: MaybeRefOrGetter<boolean>, pageSize = 50) {
  return useConnection({
    query: AdminProductsQuery,
    variables: () => ({ search: toValue(search).trim() || null }),
    connection: (data) => data.products,
    pageSize,
    pause,
  });
}

/** the viewer's own tokens that are not revoked, newest first */
export function useApiTokens(pageSize = 20) {
  return useConnection({ query: ApiTokensQuery, connection: (data) => data.apiTokens, pageSize });
}

export const useCreateApiToken = () => useMutationAction(CreateApiTokenMutation);
export const useRevokeApiToken = () => useMutationAction(RevokeApiTokenMutation, { success: 'Token revoked' });
