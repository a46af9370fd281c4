import { render } from 'preact';
import { App } from './app';
import { initialTheme } from './theme';
import './style.css';

// Before the first paint, so a dark theme does not flash light.
const theme = initialTheme();
if (theme !== 'system') document.documentElement.dataset['theme'] = theme;

render(<App />, document.getElementById('app')!);
