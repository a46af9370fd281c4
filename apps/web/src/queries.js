// The operations this client sends (the schema: apps/api/schema.graphql).

export const LOGIN = `mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password, tokenName: "web client") { token }
}`;

export const TIMELINE = `query Timeline($after: String, $includeHidden: Boolean!) {
  timeline(first: 20, after: $after, includeHidden: $includeHidden) {
    edges {
      cursor
      node {
        id
        hidden
        hiddenReason
        warnings
        reason { by { handle displayName } }
        seenIn { network }
        decisions { stage verdict reason score }
        post {
          id network text webUrl createdAt contentWarning
          author { handle displayName }
          counts { replies reposts likes }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const LIKE = `mutation Like($post: ID!) { like(post: $post) { id status error } }`;

export const ACTION = `query Action($id: ID!) { action(id: $id) { id status error } }`;
