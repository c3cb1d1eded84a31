// Who is signed in: the viewer, sign-in and sign-out.
import { graphql } from './tada';

export const ViewerFields = graphql(`
  fragment ViewerFields on User { id email name isSuperuser globalRole }
`);

export const ViewerQuery = graphql(`
  query Viewer { viewer { ...ViewerFields } }
`, [ViewerFields]);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) { user { ...ViewerFields } }
  }
`, [ViewerFields]);

export const LogoutMutation = graphql(`
  mutation Logout { logout { ok } }
`);
