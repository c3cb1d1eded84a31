// What a route may say about itself; read by the guard (routes/index.ts) and the shell.
import 'vue-router';

declare module 'vue-router' {
  interface RouteMeta {
    /** the document title: "<title> · Tributary" */
    title: string;
    /** reachable signed out (and shown without the shell) */
    public?: boolean;
    /** superusers only; anyone else gets the Forbidden page */
    superuserOnly?: boolean;
  }
}
