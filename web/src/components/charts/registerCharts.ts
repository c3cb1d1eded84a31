// Chart.js is tree-shaken: only the pieces the dashboard's bar charts use are registered (the full
// `chart.js/auto` adds ~60 kB minified for controllers and scales nobody draws).
import { BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarElement, CategoryScale, LinearScale, Tooltip, Legend);
