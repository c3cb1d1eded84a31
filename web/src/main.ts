import { createApp } from 'vue';
import urql from '@urql/vue';
import App from './App.vue';
import { router } from './router';
import { client, onSessionExpired } from './session';
import './style.css';

onSessionExpired(() => {
  const here = router.currentRoute.value;
  void router.push({ name: 'login', query: here.meta.public ? {} : { redirect: here.fullPath } });
});

// the client is provided as a ref: components follow it when a new session swaps it
const app = createApp(App).use(urql, client).use(router);
// mount once the guard has resolved the viewer, so the shell never flashes before the login page
void router.isReady().then(() => app.mount('#app'));
