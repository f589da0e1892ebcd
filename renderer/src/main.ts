import { mount } from 'svelte';
import App from './App.svelte';
import { app } from './lib/app.svelte';
import './theme.css';

mount(App, { target: document.getElementById('app')! });
void app.init();
