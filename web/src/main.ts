// Boots the dashboard: the urql client of the current session, the router, the shell.
import { createApp } from 'vue';
import urql from '@urql/vue';
import App from './App.vue';
import { loginLocation, router } from './routes';
import { client, onSessionExpired } from './session';
import './style.css';

onSessionExpired(() => {
  void router.push(loginLocation(router.currentRoute.value));
});

// the client is provided as a ref: components follow it when a new session swaps it
const app = createApp(App).use(urql, client).use(router);
// mount once the guard has resolved the viewer, so the shell never flashes before the login page
void router.isReady().then(() => app.mount('#app'));
